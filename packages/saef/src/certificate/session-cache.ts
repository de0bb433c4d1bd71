// Results of the clause 10.1 profile check and the SAN identity, per leaf certificate (by its
// SHA-256 fingerprint): the same certificate always gives the same answer, and parsing it on every
// handshake of a returning client costs more than the handshake's own signature checks. Bounded.
import type { CertificateIdentity } from './peer-identity.js';

export interface CachedCertificateCheck {
  identity: CertificateIdentity;
  subjectAltNames: string[];
  der: Uint8Array;
}

export class CertificateCheckCache {
  readonly #entries = new Map<string, CachedCertificateCheck>();
  constructor(private readonly max = 4096) {}

  get(fingerprint256: string): CachedCertificateCheck | undefined {
    const e = this.#entries.get(fingerprint256);
    if (e) {
      this.#entries.delete(fingerprint256);
      this.#entries.set(fingerprint256, e);
    }
    return e;
  }

  set(fingerprint256: string, e: CachedCertificateCheck): void {
    this.#entries.set(fingerprint256, e);
    if (this.#entries.size > this.max) this.#entries.delete(this.#entries.keys().next().value!);
  }
}
