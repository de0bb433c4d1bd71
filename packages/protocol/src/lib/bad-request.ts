import { M2MError } from '../error.js';
import { ResponseStatusCode } from '../status.js';

/** Throws the 4000 BAD_REQUEST every validation failure in this package becomes. */
export function badRequest(message: string): never {
  throw new M2MError(ResponseStatusCode.BAD_REQUEST, message);
}

/** Printable, length-bounded form of an untrusted value for an error message. */
export function show(value: unknown): string {
  let s: string;
  try {
    s = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  } catch {
    s = String(value);
  }
  return s.length > 64 ? `${s.slice(0, 61)}...` : s;
}
