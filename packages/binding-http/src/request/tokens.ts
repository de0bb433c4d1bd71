// TS-0009 6.4.19: the Tokens parameter (JWS / JWE compact serialisations, m2m:dynAuthJWT) travels in
// the Authorization header joined by '+'. OAuth Bearer and other schemes are not oneM2M tokens.
import { badRequest } from '../lib/errors.js';

const PART = '[A-Za-z0-9_-]*';
// JWS compact: 3 base64url parts; JWE compact: 5 (some parts may be empty, e.g. a direct-encryption key).
const COMPACT = new RegExp(`^[A-Za-z0-9_-]+(?:\\.${PART}){2}(?:(?:\\.${PART}){2})?$`);

/** The tokens of an Authorization header. The header value itself never appears in an error. */
export function parseTokens(header: string): string[] {
  const scheme = /^([A-Za-z][A-Za-z0-9!#$%&'*.^_`|~-]*)\s+\S/.exec(header.trim());
  if (scheme !== null && !scheme[1]!.includes('.')) {
    badRequest(`Authorization scheme '${scheme[1]}' is not supported: expected oneM2M tokens joined by '+'`);
  }
  const tokens = header.split('+').map((t) => t.trim());
  tokens.forEach((token, i) => {
    if (!COMPACT.test(token)) {
      badRequest(`Authorization header token ${i + 1} is not a JWS or JWE compact serialisation`);
    }
  });
  return tokens;
}
