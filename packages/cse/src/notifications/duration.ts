// xs:duration (ISO 8601 PnDTnHnMnS) as used by batchNotify/duration (TS-0004 m2m:batchNotify). Years and
// months have no fixed length, so they are refused rather than guessed.
import { M2MError, ResponseStatusCode } from '@m2msec/protocol';

const DURATION = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

/** Milliseconds of an xs:duration without years or months; 4000 otherwise. */
export function parseDuration(v: unknown, what: string): number {
  const m = typeof v === 'string' && v !== 'P' && !v.endsWith('T') ? DURATION.exec(v) : null;
  if (!m)
    throw new M2MError(
      ResponseStatusCode.BAD_REQUEST,
      `${what} '${String(v).slice(0, 32)}' is not an xs:duration in weeks, days, hours, minutes, seconds (e.g. PT10S)`,
    );
  const [, w, d, h, min, s] = m.map((x) => (x === undefined ? 0 : Number(x)));
  const ms = ((((w! * 7 + d!) * 24 + h!) * 60 + min!) * 60 + s!) * 1000;
  if (ms <= 0) throw new M2MError(ResponseStatusCode.BAD_REQUEST, `${what} must be longer than zero`);
  return ms;
}
