// Certificate profile of TS-0003 10.1.1 for a peer's chain (leaf first): P-256 keys, ECDSA with
// SHA-256 signatures (10.1.1.3), keyUsage with digitalSignature and a subjectAltName on the leaf,
// no wildcards (10.1.1.5-8), and for an AE-ID certificate an issuer with nameConstraints (10.1.1.5).
// Path validation, validity and revocation are OpenSSL's (trust anchors, CRLs) during the handshake.
import { X509Certificate } from 'node:crypto';
import { SaefError, show } from '../lib/errors.js';
import { ECDSA_WITH_SHA256, type ParsedCertificate, parseCertificate } from './parse.js';

function fail(message: string): never {
  throw new SaefError('CERTIFICATE_PROFILE', `${message} (TS-0003 10.1.1)`);
}

function checkKeyAndSignature(der: Uint8Array, parsed: ParsedCertificate, what: string): void {
  const curve = new X509Certificate(der).publicKey.asymmetricKeyDetails?.namedCurve;
  if (curve !== 'prime256v1') fail(`${what} key is not an EC secp256r1 (P-256) key`);
  if (parsed.signatureAlgorithm !== ECDSA_WITH_SHA256) {
    fail(`${what} is signed with ${parsed.signatureAlgorithm}, not ecdsa-with-SHA256`);
  }
}

/** Checks a chain (leaf first, as presented and validated); returns the parsed leaf. */
export function checkCertificateProfile(chain: readonly Uint8Array[]): ParsedCertificate {
  if (chain.length === 0) fail('no certificate was presented');
  const leaf = parseCertificate(chain[0]!);
  checkKeyAndSignature(chain[0]!, leaf, 'the certificate');
  if (leaf.digitalSignature !== true) fail('the certificate keyUsage does not include digitalSignature');
  if (leaf.subjectAltNames.length === 0) fail('the certificate has no usable subjectAltName');
  for (const n of leaf.subjectAltNames) {
    if (n.value.includes('*')) fail(`subjectAltName ${show(n.value)} holds a wildcard`);
  }
  for (let i = 1; i < chain.length; i++) {
    checkKeyAndSignature(chain[i]!, parseCertificate(chain[i]!), `chain certificate ${i}`);
  }
  return leaf;
}

/** 10.1.1.5: the certificate that signed an AE-ID certificate carries nameConstraints. */
export function issuerHasNameConstraints(chain: readonly Uint8Array[]): boolean {
  return chain.length > 1 && parseCertificate(chain[1]!).hasNameConstraints;
}
