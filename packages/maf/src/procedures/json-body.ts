// JSON request bodies of the MAF's APIs: parsed only when declared application/json (like a JSON body
// parser), refused with a message that never quotes the body (it may hold key material or control bytes).
import { checkJsonDepth, type EdgeRequest } from '@m2msec/protocol';
import { MafError } from '../lib/errors.js';

export function jsonBody(r: Pick<EdgeRequest, 'body' | 'headers'>): unknown {
  if (r.body.length === 0) return undefined;
  const type = (r.headers['content-type'] ?? '').split(';', 1)[0]!.trim().toLowerCase();
  if (type !== 'application/json' && !/^application\/[a-z0-9.+-]*\+json$/.test(type)) return undefined;
  const text = Buffer.from(r.body).toString('utf8');
  checkJsonDepth(text); // 4000 before a deep document reaches the parser
  try {
    return JSON.parse(text);
  } catch {
    throw new MafError('BAD_REQUEST', 'the body is not valid JSON');
  }
}
