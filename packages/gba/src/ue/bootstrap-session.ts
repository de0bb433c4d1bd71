// What a successful bootstrap leaves on the device: B-TID, Ks (= Ke of TS-0003 8.3.2.3, KeID = B-TID),
// RAND, IMPI and the key lifetime; Ks_NAF is derived locally for each NAF (TS 33.220 4.5.2 / B.3).
import { defaultUaSecurityProtocolId, deriveKsNaf } from '@m2msec/crypto';
import { GbaError } from '../lib/errors.js';
import { canonicalNafFqdn } from '../lib/validate.js';

export class BootstrapSession {
  readonly #ks: Buffer;
  #destroyed = false;

  constructor(
    /** B-TID = base64(RAND)@BSF domain: KeID, and KmID / KpsaID (TS-0003 8.3.2.3). */
    readonly btid: string,
    readonly impi: string,
    readonly rand: Buffer,
    ks: Uint8Array,
    /** End of the key lifetime announced by the BSF. */
    readonly expiresAt: Date,
  ) {
    if (ks.length !== 32) throw new GbaError(400, 'ERR_MALFORMED', 'Ks must be 32 bytes');
    this.#ks = Buffer.from(ks);
  }

  isValid(now: number = Date.now()): boolean {
    return !this.#destroyed && now < this.expiresAt.getTime();
  }

  /**
   * Ks_NAF for a NAF FQDN (lower-cased; TS-0003 8.3.2.3: the MAF FQDN, or the CSE-ID in public domain name
   * form): Km / Kpsa under GBA_ME. The Ua security protocol id defaults to 01 00 01 00 AE (see README).
   */
  deriveKsNaf(nafFqdn: string, uaSecurityProtocolId: Uint8Array = defaultUaSecurityProtocolId()): Buffer {
    if (!this.isValid())
      throw new GbaError(401, 'ERR_UNKNOWN_BTID', 'the bootstrapping session has expired; bootstrap again');
    return deriveKsNaf({
      ks: this.#ks,
      rand: this.rand,
      impi: this.impi,
      nafFqdn: canonicalNafFqdn(nafFqdn),
      uaSecurityProtocolId,
    });
  }

  /** Zeroise Ks; the session is unusable afterwards. */
  destroy(): void {
    this.#ks.fill(0);
    this.#destroyed = true;
  }

  toJSON(): Record<string, string> {
    return { btid: this.btid, impi: this.impi, expiresAt: this.expiresAt.toISOString() };
  }
}
