// oneM2M HTTP binding conventions for the MEF's JSON answers (TS-0009 6.4): the edge sends X-M2M-RSC and
// the echoed X-M2M-RI and maps the HTTP status by the one TS-0009 table; errors are
// {"m2m:dbg": message, "code": stable code}.
import type { EdgeResponse } from '@m2msec/protocol';
import { RspfError } from '@m2msec/rspf';

export function onem2mAnswer(rsc: number, body: unknown): EdgeResponse {
  return {
    rsc,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
    body: JSON.stringify(body),
  };
}

export function onem2mError(e: unknown, log?: (m: string) => void): EdgeResponse {
  if (e instanceof RspfError) return onem2mAnswer(e.rsc, { 'm2m:dbg': e.message, code: e.code });
  log?.(`internal error: ${(e as Error)?.message}`);
  return onem2mAnswer(5000, { 'm2m:dbg': 'internal error', code: 'INTERNAL' });
}
