// JSON request bodies of the node's own admin paths: parsed only when declared application/json (like a JSON
// body parser; anything else is no body), refused with a message that never quotes the body.
import { checkJsonDepth, type EdgeRequest, M2MError, ResponseStatusCode } from '@m2msec/protocol';

export function jsonBody(r: Pick<EdgeRequest, 'body' | 'headers'>): unknown {
  if (r.body.length === 0) return undefined;
  const type = (r.headers['content-type'] ?? '').split(';', 1)[0]!.trim().toLowerCase();
  if (type !== 'application/json') return undefined;
  const text = Buffer.from(r.body).toString('utf8');
  checkJsonDepth(text);
  try {
    return JSON.parse(text);
  } catch {
    throw new M2MError(ResponseStatusCode.BAD_REQUEST, 'the body is not valid JSON', 'BODY_NOT_JSON');
  }
}

/** JSON answer of an admin route. */
export function jsonAnswer(status: number, body: unknown) {
  return { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

/** The query as a parser like express's gives it: a repeated key becomes a list. */
export function queryObject(q: URLSearchParams): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of q) {
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}
