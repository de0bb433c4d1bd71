// Public-key 4-pass profile, client side (docs/dskpp.md, "MITM"): before R_C is encrypted to the
// certificate from KeyProvServerHello, the client checks that it is the server's: issued and signed
// by a configured trust anchor, valid now, naming the expected server (SAN dNSName), an RSA key of at
// least 2048 bits. KeyProvServerHello is not authenticated, so this check is the only thing that stops
// a man in the middle from substituting his own certificate and learning R_C, hence K_TOKEN.
import { type KeyObject, X509Certificate } from 'node:crypto';
import { clientFailure } from '../lib/errors.js';

export interface ServerTrust {
  /** Trust anchors (PEM or DER): the CA(s) that issue DSKPP server certificates. */
  anchors: readonly (string | Uint8Array)[];
  /** DNS name the server certificate must carry (the MEF-FQDN). */
  serverName: string;
  now?: () => number;
}

const reject = (why: string) => clientFailure('ServerCertificateRejected', `server certificate rejected: ${why}`);

export function verifyServerCertificate(der: Uint8Array | undefined, trust: ServerTrust): KeyObject {
  if (!der) throw reject('KeyProvServerHello carries no certificate');
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(Buffer.from(der));
  } catch {
    throw reject('not an X.509 certificate');
  }
  const now = trust.now?.() ?? Date.now();
  if (now < Date.parse(cert.validFrom) || now > Date.parse(cert.validTo)) throw reject('outside its validity period');
  const anchor = trust.anchors
    .map((a) => new X509Certificate(typeof a === 'string' ? a : Buffer.from(a)))
    .find((ca) => cert.checkIssued(ca) && cert.verify(ca.publicKey));
  if (!anchor) throw reject('not issued by a trusted anchor');
  if (cert.ca) throw reject('a CA certificate cannot be a DSKPP server certificate');
  if (cert.checkHost(trust.serverName, { subject: 'never' }) === undefined) {
    throw reject(`does not name ${trust.serverName}`);
  }
  const key = cert.publicKey;
  if (key.asymmetricKeyType !== 'rsa' || (key.asymmetricKeyDetails?.modulusLength ?? 0) < 2048) {
    throw reject('the key is not RSA of at least 2048 bits');
  }
  return key;
}
