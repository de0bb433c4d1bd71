// Bounds on untrusted JSON text, checked before JSON.parse. TS-0004 8.4 leaves the nesting of a
// serialized primitive open; the oneM2M resources this CSE serves nest a few levels (an ACP's
// pv/acr/acco/acip is the deepest at 6), so a document nested hundreds of levels deep is an attack on
// the recursive code that walks it (name mapping, schema validation), not a request. Such a body is a
// 4000 with a message, never a stack overflow that surfaces as 5000 (docs/hardening.md).
import { M2MError } from '../error.js';
import { ResponseStatusCode } from '../status.js';

/** Deepest array/object nesting a request or response body may have. */
export const MAX_JSON_DEPTH = 64;

/**
 * Throws 4000 when `text` nests arrays/objects deeper than `maxDepth`. One linear pass that skips
 * string contents (brackets inside strings do not count); malformed text is left to JSON.parse.
 */
export function checkJsonDepth(text: string, maxDepth = MAX_JSON_DEPTH, what = 'body'): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > maxDepth) {
        throw new M2MError(ResponseStatusCode.BAD_REQUEST, `${what} nests JSON deeper than ${maxDepth} levels`);
      }
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
}

/**
 * The reason of a JSON.parse failure without the excerpt of the input V8 puts in its message
 * (`Unexpected token 'x', "…" is not valid JSON`): an error answer or log line never echoes raw bytes.
 */
export function jsonSyntaxReason(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  const cut = m.indexOf(', "');
  const reason = cut > 0 ? m.slice(0, cut) : m;
  // What remains names a token and a position; control characters in it are escaped all the same.
  return escapeControl(reason.length > 120 ? `${reason.slice(0, 117)}...` : reason);
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

/**
 * A user-supplied value made safe for a log line or message: C0/C1 controls, DEL and the Unicode line
 * separators become \uXXXX escapes (no forged log lines, no terminal escape sequences), bounded length.
 */
export function escapeControl(value: string, max = 256): string {
  const s = value.replace(CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return s.length > max ? `${s.slice(0, max - 3)}...` : s;
}
