// TS-0010 6.5.1 / TS-0004 8.4, originator side: a request primitive -> JSON payload.
import type { RequestPrimitive } from '@m2msec/protocol';

/** JSON of the primitive as is (short names; undefined members dropped); TypeError when not serialisable. */
export function encodeRequestPayload(req: RequestPrimitive): string {
  const text = JSON.stringify(req);
  if (text === undefined) throw new TypeError('request primitive is not JSON-serialisable');
  return text;
}
