// Parsing of received DSKPP documents with @xmldom/xmldom. Fail closed: any DTD (entity tricks),
// any well-formedness error, an oversized body or a foreign root is a MalformedRequest.
import { DOMParser, type Element } from '@xmldom/xmldom';
import { DskppError } from '../lib/errors.js';

export const MAX_MESSAGE_BYTES = 64 * 1024;

export function parseXml(text: string, maxBytes = MAX_MESSAGE_BYTES): Element {
  if (typeof text !== 'string') throw new DskppError('MalformedRequest', 'message body must be text');
  if (Buffer.byteLength(text, 'utf8') > maxBytes) {
    throw new DskppError('MalformedRequest', `message exceeds ${maxBytes} bytes`);
  }
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) throw new DskppError('MalformedRequest', 'DTDs are not accepted');
  const parser = new DOMParser({
    onError: (level, message) => {
      if (level !== 'warning') throw new Error(message);
    },
  });
  let root: Element | null;
  try {
    root = parser.parseFromString(text, 'text/xml').documentElement;
  } catch (e) {
    const detail = e instanceof Error ? e.message.replace(/\s+/g, ' ').slice(0, 200) : 'parse error';
    throw new DskppError('MalformedRequest', `message is not well-formed XML: ${detail}`);
  }
  if (!root) throw new DskppError('MalformedRequest', 'message has no root element');
  return root;
}
