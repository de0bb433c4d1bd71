import { formatRelativeKeyIdentifier, parseRelativeKeyIdentifier } from './relative-key-identifier.js';

export interface KpsaID {
  /** Issuer_Relative_KpsaID. */
  readonly relativeKpsaID: string;
  /** Issuer-FQDN: the stakeholder that provisioned Kpsa. */
  readonly issuerFqdn: string;
}

/** KpsaID = Issuer_Relative_KpsaID "@" Issuer-FQDN (TS-0003 clause 10.5); psk_identity in PSK SAEF. */
export function formatKpsaID(relativeKpsaID: string, issuerFqdn: string): string {
  return formatRelativeKeyIdentifier('KpsaID', relativeKpsaID, issuerFqdn);
}

export function parseKpsaID(kpsaID: string): KpsaID {
  const { relative, fqdn } = parseRelativeKeyIdentifier('KpsaID', kpsaID);
  return { relativeKpsaID: relative, issuerFqdn: fqdn };
}
