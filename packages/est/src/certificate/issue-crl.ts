// The MEF CA's Certificate Revocation List (RFC 5280 5, TS-0003 8.1.2.2 "certificate status
// verification"): a v2 CRL signed through the secure environment with the CA key, with the
// authorityKeyIdentifier and cRLNumber extensions RFC 5280 5.2 requires of a conforming issuer,
// and a reasonCode entry extension when a reason is known. Same hand-written DER as certificates.
import { EstError } from '../errors.js';
import { bitString, seq, time, tlv, unsignedInteger } from '../lib/der.js';
import { p1363ToDer } from '../lib/ecdsa-signature.js';
import { ECDSA_WITH_SHA256_ALGID, OID } from '../lib/oids.js';
import type { CertificateAuthority } from './certificate-authority.js';
import { authorityKeyIdentifier, extension } from './extensions.js';

/** CRLReason (RFC 5280 5.3.1); 7 is unused, removeFromCRL (8) only in delta CRLs. */
export type CrlReason =
  | 'unspecified'
  | 'keyCompromise'
  | 'cACompromise'
  | 'affiliationChanged'
  | 'superseded'
  | 'cessationOfOperation'
  | 'certificateHold'
  | 'privilegeWithdrawn'
  | 'aACompromise';

const REASON_CODE: Record<CrlReason, number> = {
  unspecified: 0,
  keyCompromise: 1,
  cACompromise: 2,
  affiliationChanged: 3,
  superseded: 4,
  cessationOfOperation: 5,
  certificateHold: 6,
  privilegeWithdrawn: 9,
  aACompromise: 10,
};

export const CRL_REASONS = Object.keys(REASON_CODE) as readonly CrlReason[];

export interface RevokedCertificate {
  /** Serial number as hex (any case, leading zeros allowed). */
  serialNumber: string;
  revocationDate: Date;
  reason?: CrlReason;
}

export interface CrlContent {
  thisUpdate: Date;
  /** RFC 5280 5.1.2.5: conforming issuers always include nextUpdate. */
  nextUpdate: Date;
  /** Monotonically increasing per CA (RFC 5280 5.2.3). */
  crlNumber: bigint;
  revoked: readonly RevokedCertificate[];
}

const VERSION_V2 = Uint8Array.of(0x02, 0x01, 0x01);

/** Canonical serial hex: upper case, no leading zeros (as comparisons between CRL and certificate use). */
export function canonicalSerial(hex: string): string {
  if (!/^[0-9a-fA-F]{1,40}$/.test(hex)) throw new EstError(400, 'a certificate serial number is 1 to 40 hex digits');
  return BigInt(`0x${hex}`).toString(16).toUpperCase();
}

/** Serial magnitude bytes of a canonical / any hex serial. */
function serialBytes(hex: string): Uint8Array {
  const c = canonicalSerial(hex);
  return Buffer.from(c.length % 2 ? `0${c}` : c, 'hex');
}

function bigIntegerBytes(n: bigint): Uint8Array {
  if (n < 0n) throw new RangeError('cRLNumber must not be negative');
  const h = n.toString(16);
  return Buffer.from(h.length % 2 ? `0${h}` : h, 'hex');
}

export async function issueCrl(ca: CertificateAuthority, c: CrlContent): Promise<Uint8Array> {
  if (c.nextUpdate <= c.thisUpdate) throw new EstError(500, 'a CRL needs nextUpdate after thisUpdate');
  const entries = c.revoked.map((r) => {
    const parts = [unsignedInteger(serialBytes(r.serialNumber)), time(r.revocationDate)];
    if (r.reason !== undefined && r.reason !== 'unspecified') {
      // RFC 5280 5.3.1: reasonCode is absent rather than unspecified (0).
      const code = REASON_CODE[r.reason];
      if (code === undefined) throw new EstError(400, `unknown CRL reason '${r.reason}'`);
      parts.push(seq(extension(OID.cRLReason, false, tlv(0x0a, Uint8Array.of(code)))));
    }
    return seq(...parts);
  });
  const extensions = seq(
    authorityKeyIdentifier(ca.keyIdentifier),
    extension(OID.cRLNumber, false, unsignedInteger(bigIntegerBytes(c.crlNumber))),
  );
  const tbs = seq(
    VERSION_V2,
    ECDSA_WITH_SHA256_ALGID,
    ca.parsed.subject,
    time(c.thisUpdate),
    time(c.nextUpdate),
    // RFC 5280 5.1.2.6: an empty list is omitted, not encoded as an empty SEQUENCE.
    ...(entries.length > 0 ? [seq(...entries)] : []),
    tlv(0xa0, extensions),
  );
  const signature = p1363ToDer(await ca.se.sign(ca.key, tbs));
  return seq(tbs, ECDSA_WITH_SHA256_ALGID, bitString(signature));
}
