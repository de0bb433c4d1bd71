// RevokeRequest (RFC 5272 6.11): issuerName, serialNumber, reason, then optional invalidityDate,
// passphrase and comment (read and not used: the hook decides by the requester, not a passphrase).
import { CRL_REASONS, type CrlReason } from '../certificate/issue-crl.js';
import { children, content, readTlv, whole } from '../lib/der.js';

const CODES: Record<number, CrlReason> = {
  0: 'unspecified',
  1: 'keyCompromise',
  2: 'cACompromise',
  3: 'affiliationChanged',
  4: 'superseded',
  5: 'cessationOfOperation',
  6: 'certificateHold',
  9: 'privilegeWithdrawn',
  10: 'aACompromise',
};

export interface RevokeRequest {
  readonly issuerName: Uint8Array;
  /** INTEGER content bytes. */
  readonly serialNumber: Uint8Array;
  readonly reason?: CrlReason;
}

export function parseRevokeRequest(der: Uint8Array): RevokeRequest | undefined {
  try {
    const top = readTlv(der, 0, der.length, 'RevokeRequest');
    if (top.tag !== 0x30 || top.end !== der.length) return undefined;
    const [issuer, serial, reason] = children(der, top, 'RevokeRequest');
    if (issuer?.tag !== 0x30 || !serial || serial.tag !== 0x02 || !reason || reason.tag !== 0x0a) return undefined;
    const r = content(der, reason);
    if (r.length !== 1) return undefined;
    const name = CODES[r[0]!];
    if (!name || !CRL_REASONS.includes(name)) return undefined;
    return { issuerName: whole(der, issuer), serialNumber: content(der, serial), reason: name };
  } catch {
    return undefined;
  }
}
