// The configuration a program started with, for its start-up line (issue 19 item 2: lifecycle lines,
// never a secret). Everything an operator needs to see what runs (profile, listeners, store, paths of key
// files) is kept; a value whose name says it is a secret is replaced, and credentials inside URLs
// (postgres://user:password@host) are cut out. A path to a key file is not a secret: it stays.
const SECRET_NAME = /(^|[^a-z])(key|kek|psk|secret|password|passphrase|token|kpm|km|k)$|hex$|^authenticationCode/i;
const PATH_NAME = /(file|files|path|dir)$/i;

function withoutUrlCredentials(s: string): string {
  return s.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/@\s]*@/gi, '$1<credentials>@');
}

function summarise(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return withoutUrlCredentials(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth > 8) return '[…]';
  if (Buffer.isBuffer(value) || ArrayBuffer.isView(value)) return '[redacted]';
  if (Array.isArray(value)) return value.map((v) => summarise(v, depth + 1));
  // A JWK (private parts d, p, q, ... have short names) is a key whatever its field is called.
  if ('kty' in value) return '[redacted]';
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (/key$/i.test(k) && v !== null && typeof v === 'object') {
      out[k] = '[redacted]'; // signingKey, privateKey: key material in a structure
      continue;
    }
    // Only a value is redacted; an object named like a secret (security.psk: the PSK listener) is walked.
    if (SECRET_NAME.test(k) && !PATH_NAME.test(k) && (typeof v === 'string' || typeof v === 'number')) {
      out[k] = '[redacted]';
    } else out[k] = summarise(v, depth + 1);
  }
  return out;
}

/** A copy of `config` fit for a log line: secrets named as such redacted, URL credentials removed. */
export function configSummary(config: unknown): unknown {
  return summarise(config, 0);
}
