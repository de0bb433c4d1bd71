import { formatHexKeyIdentifier, parseHexKeyIdentifier } from './hex-key-identifier.js';

export interface KcKeyIdentifier {
  /** KcID: the 16 most significant bytes of the connection exporter output (clause 10.3.1). */
  readonly kcID: Buffer;
  /** FQDN of the M2M Authentication Function. */
  readonly mafFqdn: string;
}

/**
 * Key Identifier = RelativeKeyID "@" MAF-FQDN with RelativeKeyID = hexBinary(KcID)
 * (TS-0003 clause 10.3.5); sent as psk_identity in MAF-based SAEF.
 */
export function formatKcKeyIdentifier(kcID: Uint8Array, mafFqdn: string): string {
  return formatHexKeyIdentifier('Kc Key Identifier', kcID, mafFqdn);
}

/** Parses a clause 10.3.5 Key Identifier. */
export function parseKcKeyIdentifier(keyIdentifier: string): KcKeyIdentifier {
  const { relativeId, fqdn } = parseHexKeyIdentifier('Kc Key Identifier', keyIdentifier);
  return { kcID: relativeId, mafFqdn: fqdn };
}
