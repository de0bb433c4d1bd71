// Whether the security association a request arrived over proved an administrator's credential.
// Only an association the SA function admitted counts (TransportContext.association is set by it,
// never by a client): a plain transport matches no credential.
import type { TransportContext } from '@m2msec/protocol';
import type { AdministratorCredential } from './principal.js';

const fingerprint = (s: string) => s.replaceAll(':', '').toLowerCase();

/** 'URI:x' and 'uri:x' are the same SAN entry; the value is compared exactly. */
function sameSan(a: string, b: string): boolean {
  const i = a.indexOf(':');
  const j = b.indexOf(':');
  return i > 0 && j > 0 && a.slice(0, i).toLowerCase() === b.slice(0, j).toLowerCase() && a.slice(i) === b.slice(j);
}

export function credentialMatches(c: AdministratorCredential, transport: TransportContext): boolean {
  const sa = transport.association;
  if (!sa) return false;
  if ('credentialId' in c) return sa.credentialId !== undefined && sa.credentialId === c.credentialId;
  const tls = transport.tls;
  if (!tls) return false;
  if ('pskIdentity' in c) return tls.pskIdentity !== undefined && tls.pskIdentity === c.pskIdentity;
  const cert = tls.peerCertificate;
  if (!cert) return false;
  if ('certificateSan' in c) return cert.subjectAltNames.some((n) => sameSan(n, c.certificateSan));
  return fingerprint(cert.fingerprint256) === fingerprint(c.certificateFingerprint256);
}
