// Certificate status by CRL (TS-0003 8.1.2.2 "certificate status verification", RFC 5280 5 and 6.3)
// for the certificate SAEF listeners. Two checks share one set of CRLs:
// - OpenSSL's, in the handshake (the PEM CRLs go into the listener's secure context: a revoked chain
//   fails with a certificate_revoked alert);
// - this class's, in JavaScript, when a session is admitted and whenever the CRLs change: a resumed
//   session (no chain validation in the handshake) and a live session of a newly revoked certificate
//   are refused / torn down too.
// The JavaScript check uses CRLs a configured trust anchor signed (verified here); a CRL of another
// issuer (an intermediate CA) is passed to OpenSSL only, which verifies it during path validation. A
// CRL with a bad signature is refused and the previous one of that issuer kept. Once a CRL passes its nextUpdate without a
// replacement, every certificate of its issuer is refused (fail closed; OpenSSL does the same).
import { createPublicKey, type KeyObject, verify, X509Certificate } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import { Certificate, CertificateList } from '@peculiar/asn1-x509';
import { SaefError } from '../lib/errors.js';

export interface CrlInfo {
  /**
   * The trust anchor that issued it (Node's rendering of its subject), or for a CRL of another issuer
   * (an intermediate CA, checked by OpenSSL only) 'der:' and the issuer Name's DER in hex.
   */
  issuer: string;
  /** Signed by a configured trust anchor (checked here); false: left to OpenSSL. */
  verified: boolean;
  thisUpdate: Date;
  nextUpdate?: Date;
  /** Canonical serials (upper-case hex, no leading zeros). */
  revoked: ReadonlySet<string>;
  /** PEM, for the TLS secure context. */
  pem: string;
}

export type RevocationStatus = 'good' | 'revoked' | 'crl-expired';

const SIGNATURE_HASH: Record<string, string> = {
  '1.2.840.10045.4.3.2': 'sha256',
  '1.2.840.10045.4.3.3': 'sha384',
  '1.2.840.10045.4.3.4': 'sha512',
  '1.2.840.113549.1.1.11': 'sha256',
  '1.2.840.113549.1.1.12': 'sha384',
  '1.2.840.113549.1.1.13': 'sha512',
};

export const canonicalSerialHex = (hex: string): string => BigInt(`0x${hex}`).toString(16).toUpperCase();

function toDer(input: string | Uint8Array): Buffer {
  const text = typeof input === 'string' ? input : Buffer.from(input).toString('latin1');
  const m = /-----BEGIN X509 CRL-----([\s\S]*?)-----END X509 CRL-----/.exec(text);
  if (m) return Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64');
  if (typeof input === 'string') throw new SaefError('INVALID_INPUT', 'a CRL is DER or PEM (X509 CRL)');
  return Buffer.from(input);
}

const toPem = (der: Uint8Array): string =>
  `-----BEGIN X509 CRL-----\n${Buffer.from(der)
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
    .replace(/\n$/, '')}\n-----END X509 CRL-----\n`;

/** The raw TBSCertList (first element of the outer SEQUENCE), for the signature check. */
function tbsBytes(der: Buffer): Buffer {
  const header = (at: number): [number, number] => {
    const first = der[at + 1]!;
    if (first < 0x80) return [2, first];
    const n = first & 0x7f;
    if (n < 1 || n > 4) throw new SaefError('INVALID_INPUT', 'CRL: bad DER length');
    let len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + der[at + 2 + i]!;
    return [2 + n, len];
  };
  if (der[0] !== 0x30) throw new SaefError('INVALID_INPUT', 'CRL: not a DER SEQUENCE');
  const [h] = header(0);
  if (der[h] !== 0x30) throw new SaefError('INVALID_INPUT', 'CRL: no TBSCertList');
  const [h2, len2] = header(h);
  return der.subarray(h, h + h2 + len2);
}

interface Anchor {
  x509: X509Certificate;
  subjectDer: Buffer;
  key: KeyObject;
}

export class CertificateRevocation {
  readonly #anchors: Anchor[];
  #byIssuer = new Map<string, CrlInfo>();
  readonly #listeners = new Set<() => void>();
  readonly #now: () => number;

  constructor(trustAnchors: ReadonlyArray<string | Buffer>, o: { now?: () => number } = {}) {
    this.#now = o.now ?? Date.now;
    this.#anchors = trustAnchors.map((a) => {
      const x509 = new X509Certificate(a);
      const cert = AsnConvert.parse(x509.raw, Certificate);
      return {
        x509,
        subjectDer: Buffer.from(AsnConvert.serialize(cert.tbsCertificate.subject)),
        key: createPublicKey(x509.publicKey.export({ type: 'spki', format: 'pem' })),
      };
    });
  }

  /** Parses and checks one CRL (signature by a trust anchor, dates); throws SaefError when unusable. */
  parse(input: string | Uint8Array): CrlInfo {
    const der = toDer(input);
    let list: CertificateList;
    try {
      list = AsnConvert.parse(der, CertificateList);
    } catch {
      throw new SaefError('INVALID_INPUT', 'the CRL is not DER CertificateList (RFC 5280 5.1)');
    }
    const tbs = list.tbsCertList;
    const issuerDer = Buffer.from(AsnConvert.serialize(tbs.issuer));
    const anchor = this.#anchors.find((a) => a.subjectDer.equals(issuerDer));
    if (anchor) {
      const hash = SIGNATURE_HASH[list.signatureAlgorithm.algorithm];
      if (!hash) {
        throw new SaefError(
          'INVALID_INPUT',
          `unsupported CRL signature algorithm ${list.signatureAlgorithm.algorithm}`,
        );
      }
      if (!verify(hash, tbsBytes(der), anchor.key, Buffer.from(list.signature))) {
        throw new SaefError(
          'INVALID_INPUT',
          `the CRL signature does not verify with ${anchor.x509.subject.replace(/\n/g, ', ')}`,
        );
      }
    }
    const thisUpdate = tbs.thisUpdate.getTime();
    const nextUpdate = tbs.nextUpdate?.getTime();
    if (thisUpdate.getTime() > this.#now() + 300_000) throw new SaefError('INVALID_INPUT', 'the CRL is not valid yet');
    const revoked = new Set(
      (tbs.revokedCertificates ?? []).map((r) => canonicalSerialHex(Buffer.from(r.userCertificate).toString('hex'))),
    );
    return {
      issuer: anchor ? anchor.x509.subject : `der:${issuerDer.toString('hex')}`,
      verified: !!anchor,
      thisUpdate,
      ...(nextUpdate ? { nextUpdate } : {}),
      revoked,
      pem: toPem(der),
    };
  }

  /**
   * Replaces the CRLs. Each valid one becomes its issuer's CRL unless an as-recent or newer one is
   * held (a replayed older CRL never removes a revocation); invalid ones are reported and skipped.
   * Listeners run when anything changed.
   */
  update(crls: ReadonlyArray<string | Uint8Array>, onInvalid?: (message: string) => void): boolean {
    const next = new Map(this.#byIssuer);
    let changed = false;
    for (const c of crls) {
      let info: CrlInfo;
      try {
        info = this.parse(c);
      } catch (e) {
        onInvalid?.((e as Error).message);
        continue;
      }
      const held = next.get(info.issuer);
      if (held && (held.pem === info.pem || held.thisUpdate > info.thisUpdate)) continue;
      next.set(info.issuer, info);
      changed = true;
    }
    if (changed) {
      this.#byIssuer = next;
      for (const l of this.#listeners) l();
    }
    return changed;
  }

  /** PEM CRLs for the listener's secure context. */
  get pems(): string[] {
    return [...this.#byIssuer.values()].map((c) => c.pem);
  }

  get crls(): readonly CrlInfo[] {
    return [...this.#byIssuer.values()];
  }

  /** Status of a leaf certificate whose issuer has a CRL here ('good' when its issuer has none). */
  status(leaf: X509Certificate | Uint8Array): RevocationStatus {
    const x = leaf instanceof X509Certificate ? leaf : new X509Certificate(leaf);
    const crl = this.#byIssuer.get(x.issuer);
    if (!crl) return 'good';
    if (crl.nextUpdate && crl.nextUpdate.getTime() < this.#now()) return 'crl-expired';
    return crl.revoked.has(canonicalSerialHex(x.serialNumber)) ? 'revoked' : 'good';
  }

  /** Runs `listener` after every change of the CRLs; returns the unsubscribe function. */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
