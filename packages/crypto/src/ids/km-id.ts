import { formatRelativeKeyIdentifier, parseRelativeKeyIdentifier } from './relative-key-identifier.js';

export interface KmID {
  /** MAF_RELATIVE_KmID, as written (it is case-insensitive: compare with sameKmID). */
  readonly relativeKmID: string;
  readonly mafFqdn: string;
}

/** KmID = MAF_RELATIVE_KmID "@" MAF-FQDN (TS-0003 clause 10.6). */
export function formatKmID(relativeKmID: string, mafFqdn: string): string {
  return formatRelativeKeyIdentifier('KmID', relativeKmID, mafFqdn);
}

export function parseKmID(kmID: string): KmID {
  const { relative, fqdn } = parseRelativeKeyIdentifier('KmID', kmID);
  return { relativeKmID: relative, mafFqdn: fqdn };
}

/**
 * Equality of two KmIDs: the relative part is not case sensitive (clause 10.6) and neither is a
 * DNS name. Throws if either is malformed.
 */
export function sameKmID(a: string, b: string): boolean {
  const x = parseKmID(a);
  const y = parseKmID(b);
  return (
    x.relativeKmID.toLowerCase() === y.relativeKmID.toLowerCase() && x.mafFqdn.toLowerCase() === y.mafFqdn.toLowerCase()
  );
}
