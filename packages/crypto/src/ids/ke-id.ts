import { formatHexKeyIdentifier, parseHexKeyIdentifier } from './hex-key-identifier.js';

export interface KeID {
  /** RelativeKeID: the 16 most significant bytes of the bootstrap exporter output (clause 10.3.1). */
  readonly relativeKeID: Buffer;
  /** FQDN of the M2M Enrolment Function. */
  readonly mefFqdn: string;
}

/** KeID = hexBinary(RelativeKeID) "@" MEF-FQDN (TS-0003 clause 10.3.4). */
export function formatKeID(relativeKeID: Uint8Array, mefFqdn: string): string {
  return formatHexKeyIdentifier('KeID', relativeKeID, mefFqdn);
}

/** Parses a KeID of clause 10.3.4. GBA-based RSPF uses the B-TID as KeID instead (clause 8.3.2.3). */
export function parseKeID(keID: string): KeID {
  const { relativeId, fqdn } = parseHexKeyIdentifier('KeID', keID);
  return { relativeKeID: relativeId, mefFqdn: fqdn };
}
