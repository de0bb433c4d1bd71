// The two failures this package produces: 4000 for malformed input, 4126 for registration gating.
import { M2MError, ResponseStatusCode } from '@m2msec/protocol';

export function badRequest(message: string): never {
  throw new M2MError(ResponseStatusCode.BAD_REQUEST, message);
}

export function appRuleValidationFailed(message: string): never {
  throw new M2MError(ResponseStatusCode.APP_RULE_VALIDATION_FAILED, message);
}

/** Quoted, length-bounded form of an untrusted string for an error message (control characters escaped). */
export function show(value: unknown): string {
  const s = typeof value === 'string' ? value : String(value);
  const cut = s.length > 64 ? `${s.slice(0, 61)}...` : s;
  return JSON.stringify(cut);
}
