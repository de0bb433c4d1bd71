// oneM2M HTTP binding conventions for the MEF's JSON answers (TS-0009 6.4): the edge sends X-M2M-RSC and
// the echoed X-M2M-RI and maps the HTTP status by the one TS-0009 table; errors are
// {"m2m:dbg": message, "code": stable code}.
import { clientErrorOf, type EdgeResponse, errorLogFields } from '@m2msec/protocol';

export function onem2mAnswer(rsc: number, body: unknown): EdgeResponse {
  return {
    rsc,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
    body: JSON.stringify(body),
  };
}

/** Any failure in protocol's error model (docs/errors.md); the unanticipated one logged, never answered. */
export function onem2mError(e: unknown, log?: (m: string, fields: Record<string, unknown>) => void): EdgeResponse {
  const c = clientErrorOf(e);
  if (c.internal) log?.('request failed with an unexpected error', errorLogFields(e));
  return onem2mAnswer(c.rsc, { 'm2m:dbg': c.message, code: c.code });
}
