// Reads the 200 OK body of the Ub (TS 24.109 Annex C: <BootstrappingInfo xmlns="uri:3gpp-gba"> with
// <btid> and <lifetime>). Fail closed: DTDs, malformed XML, a foreign root or a missing element.
import { DOMParser, type Element } from '@xmldom/xmldom';
import { GbaError } from '../lib/errors.js';

const NS = 'uri:3gpp-gba';

export function parseBootstrappingInfo(text: string): { btid: string; lifetime: Date } {
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) throw bad('DTDs are not accepted');
  let root: Element | null;
  try {
    root = new DOMParser({
      onError: (level, message) => {
        if (level !== 'warning') throw new Error(message);
      },
    }).parseFromString(text, 'text/xml').documentElement;
  } catch {
    throw bad('not well-formed XML');
  }
  const doc = root;
  if (doc?.localName !== 'BootstrappingInfo' || doc.namespaceURI !== NS) {
    throw bad(`root must be BootstrappingInfo in ${NS}`);
  }
  const child = (name: string) => {
    const found: Element[] = [];
    for (let n = doc.firstChild; n; n = n.nextSibling) {
      if (n.nodeType === 1 && (n as Element).localName === name && (n as Element).namespaceURI === NS)
        found.push(n as Element);
    }
    if (found.length !== 1) throw bad(`expected exactly one <${name}>`);
    return (found[0]!.textContent ?? '').trim();
  };
  const btid = child('btid');
  const lifetimeText = child('lifetime');
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/.test(lifetimeText)) {
    throw bad('lifetime must be an xsd:dateTime with a time zone');
  }
  const lifetime = new Date(lifetimeText);
  if (Number.isNaN(lifetime.getTime())) throw bad('lifetime is not a valid date');
  return { btid, lifetime };
}

const bad = (why: string) => new GbaError(502, 'ERR_PROTOCOL', `BSF bootstrapping info: ${why}`);
