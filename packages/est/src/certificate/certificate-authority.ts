// The MEF CA (TS-0003 8.3.6.1): its P-256 key lives in the secure environment; certificates are
// TBS bytes signed through SecureEnvironment.sign. The self-signed CA certificate is made the
// same way at set-up.
import { type KeyObject, X509Certificate } from 'node:crypto';
import type { KeyRef, SecureEnvironment } from '@m2msec/secure-environment';
import { readP256Spki } from '../csr/parse-csr.js';
import { p256PublicKeyFromPoint } from '../csr/verify-csr.js';
import { EstError } from '../errors.js';
import { bytesEqual, readTlv } from '../lib/der.js';
import { type NameConstraints, parseNameConstraints } from '../lib/name-constraints.js';
import { encodeName } from '../lib/x509.js';
import {
  authorityKeyIdentifier,
  basicConstraintsCa,
  KEY_USAGE_CA,
  keyIdentifier,
  nameConstraints as nameConstraintsExtension,
  subjectKeyIdentifier,
} from './extensions.js';
import { type ParsedCertificate, parseCertificate } from './parse-certificate.js';
import { encodeTbsCertificate, signCertificate } from './sign-certificate.js';

export interface CertificateAuthority {
  readonly se: SecureEnvironment;
  /** The SE key (usage 'sign') that signs certificates. */
  readonly key: KeyRef;
  /** CA certificate, DER. */
  readonly certificate: Uint8Array;
  readonly parsed: ParsedCertificate;
  /** Node's view of the CA certificate (verify, checkIssued). */
  readonly x509: X509Certificate;
  readonly publicKey: KeyObject;
  /** subjectKeyIdentifier of the CA, used as authorityKeyIdentifier of what it issues. */
  readonly keyIdentifier: Uint8Array;
  /** The CA certificate's DNS / URI name constraints (TS-0003 10.1.1.5); issuance never violates them. */
  readonly nameConstraints?: NameConstraints;
}

export interface CreateCertificateAuthorityOptions {
  se: SecureEnvironment;
  /** Existing SE key (EC-P256, usage 'sign'); a new one is generated when absent. */
  key?: KeyRef;
  /** Id for the generated key. */
  keyId?: string;
  /** RFC 4514 subject, e.g. "CN=MEF CA, O=Example". */
  subject: string;
  validityDays?: number;
  /** TS-0003 10.1.1.5: constrain the hosts of AE-ID URIs (and CSE-ID domain names). */
  nameConstraints?: NameConstraints;
  /** basicConstraints pathLenConstraint; default 0 (issues end entities only). */
  pathLength?: number;
  now?: Date;
}

const DAY = 86_400_000;

/** Generates (or takes) the CA key in the SE and self-signs the CA certificate through the SE. */
export async function createCertificateAuthority(o: CreateCertificateAuthorityOptions): Promise<CertificateAuthority> {
  const key =
    o.key ?? (await o.se.generateKey({ algorithm: 'EC-P256', usages: ['sign'], ...(o.keyId ? { id: o.keyId } : {}) }));
  const spki = await o.se.getPublicKey(key);
  const point = readP256Spki(spki, readTlv(spki, 0, spki.length, 'CA public key'));
  const kid = keyIdentifier(point);
  const name = encodeName(o.subject);
  const now = o.now ?? new Date();
  const notBefore = new Date(Math.floor(now.getTime() / 1000) * 1000 - 60_000);
  const extensions = [
    basicConstraintsCa(o.pathLength ?? 0),
    KEY_USAGE_CA,
    subjectKeyIdentifier(kid),
    authorityKeyIdentifier(kid),
  ];
  if (o.nameConstraints) extensions.push(nameConstraintsExtension(o.nameConstraints));
  const tbs = encodeTbsCertificate({
    issuer: name,
    subject: name,
    notBefore,
    notAfter: new Date(notBefore.getTime() + (o.validityDays ?? 3650) * DAY),
    subjectPublicKeyInfo: spki,
    extensions,
  });
  const certificate = await signCertificate(o.se, key, tbs);
  return openCertificateAuthority({ se: o.se, key, certificate });
}

/** Binds an existing CA certificate to its SE key; checks that they belong together. */
export async function openCertificateAuthority(o: {
  se: SecureEnvironment;
  key: KeyRef;
  certificate: Uint8Array;
}): Promise<CertificateAuthority> {
  const parsed = parseCertificate(o.certificate, 'CA certificate');
  const spki = await o.se.getPublicKey(o.key);
  if (!bytesEqual(spki, parsed.subjectPublicKeyInfo) || !parsed.publicPoint) {
    throw new EstError(500, 'the CA certificate does not hold the public key of the SE key');
  }
  const ski = parsed.extensions.get('2.5.29.14');
  const nc = parsed.extensions.get('2.5.29.30');
  return {
    se: o.se,
    key: o.key,
    certificate: o.certificate,
    parsed,
    x509: new X509Certificate(o.certificate),
    publicKey: p256PublicKeyFromPoint(parsed.publicPoint),
    keyIdentifier: ski ? ski.value.subarray(2) : keyIdentifier(parsed.publicPoint),
    ...(nc ? { nameConstraints: parseNameConstraints(nc.value) } : {}),
  };
}
