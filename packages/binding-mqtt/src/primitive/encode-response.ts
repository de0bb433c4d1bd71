// TS-0010 6.5.2 / TS-0004 8.4: a response primitive -> JSON payload (short names, no m2m:rsp wrapper).
import { type HandlerResponse, isSuccess, m2mDebugContent, type ResponsePrimitive } from '@m2msec/protocol';

// cnst / cnot: Content Status and Content Offset of a partial RETRIEVE (TS-0004 Table 7.2.1.2-1).
const FIELDS = ['rsc', 'rqi', 'rvi', 'pc', 'to', 'fr', 'ot', 'rset', 'ati', 'cnst', 'cnot'] as const;

/**
 * Serialises the response. An error without content carries its debug text as {"m2m:dbg": ...};
 * HandlerResponse.location has no MQTT counterpart (the created resource is in the content).
 * Throws a TypeError when the content is not JSON-serialisable (the caller answers 5000).
 */
export function encodeResponsePayload(rsp: HandlerResponse | ResponsePrimitive): string {
  const out: Record<string, unknown> = {};
  for (const name of FIELDS) if (rsp[name] !== undefined) out[name] = rsp[name];
  if (out.pc === undefined && rsp.dbg !== undefined && !isSuccess(rsp.rsc)) out.pc = m2mDebugContent(rsp.dbg);
  const text = JSON.stringify(out);
  if (text === undefined) throw new TypeError('response primitive is not JSON-serialisable');
  return text;
}
