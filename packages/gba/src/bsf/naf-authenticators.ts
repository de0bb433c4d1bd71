// How the BSF knows which NAF is asking on the Zn (3GPP TS 33.220 4.4.4 requires mutual authentication
// of BSF and NAF; real Zn runs Diameter or SOAP over TLS). Both variants require HTTPS.
import { createHash } from 'node:crypto';
import { constantTimeEqual } from '@m2msec/crypto';
import { canonicalNafFqdn } from '../lib/validate.js';
import type { NafAuthenticator } from './routes.js';

/**
 * The NAF FQDNs are the dNSName subjectAltNames of a client certificate that the HTTPS server verified
 * (`requestCert: true` and `ca` naming the NAF CA; unverified certificates are ignored).
 */
export function nafClientCertificateAuthenticator(): NafAuthenticator {
  return (req) => {
    // The edge sets peerCertificate only for a certificate the listener verified.
    const names: string[] = [];
    for (const entry of req.transport.tls?.peerCertificate?.subjectAltNames ?? []) {
      if (!entry.startsWith('DNS:')) continue;
      try {
        names.push(canonicalNafFqdn(entry.slice(4)));
      } catch {
        // a wildcard or otherwise non-FQDN name proves no NAF identity
      }
    }
    return names.length > 0 ? names : undefined;
  };
}

export interface NafCredential {
  readonly nafFqdn: string;
  /** The pre-shared NAF credential (at least 16 bytes of secret; a random string of 32+ characters). */
  readonly credential: string;
}

/**
 * Pre-shared NAF credentials sent as HTTP Basic (user = NAF FQDN, password = credential) over HTTPS only.
 * Only SHA-256 digests of the credentials are kept; the comparison is constant time.
 */
export function nafSharedCredentialAuthenticator(credentials: readonly NafCredential[]): NafAuthenticator {
  const table = new Map<string, Buffer>();
  for (const c of credentials) {
    if (typeof c.credential !== 'string' || Buffer.byteLength(c.credential) < 16) {
      throw new Error(`the credential of ${c.nafFqdn} is shorter than 16 bytes`);
    }
    table.set(canonicalNafFqdn(c.nafFqdn), sha256(c.credential));
  }
  return (req) => {
    if (!req.transport.tls) return undefined;
    const m = /^Basic ([A-Za-z0-9+/]+={0,2})$/.exec(req.headers.authorization ?? '');
    if (!m) return undefined;
    const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 1) return undefined;
    const fqdn = decoded.slice(0, colon).toLowerCase();
    const expected = table.get(fqdn);
    const given = sha256(decoded.slice(colon + 1));
    // Compare against a dummy for unknown NAFs too, so timing does not tell which FQDNs are configured.
    const ok = constantTimeEqual(given, expected ?? Buffer.alloc(32)) && expected !== undefined;
    return ok ? [fqdn] : undefined;
  };
}

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest();
