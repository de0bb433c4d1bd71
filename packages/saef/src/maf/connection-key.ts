// MAF-based SAEF, Entity A (TS-0003 8.2.2.3, 10.3.1, 10.3.5): after the MAF Handshake, Kc and KcID
// come from the RFC 5705 exporter of that TLS session with label "EXPORTER-oneM2M-Connection" (48
// bytes, no context): KcID = the 16 most significant bytes, Kc = the 32 least significant. A sends
// hexBinary(KcID)@MAF-FQDN as psk_identity to B.
import {
  EXPORTER_LABEL_CONNECTION,
  EXPORTER_LENGTH,
  formatKcKeyIdentifier,
  splitConnectionExport,
} from '@m2msec/crypto';

export interface ConnectionKey {
  kc: Buffer;
  kcId: Buffer;
  /** hexBinary(KcID)@MAF-FQDN: the psk_identity towards Entity B. */
  keyIdentifier: string;
}

/** `exportKeyingMaterial` of the TLS session with the MAF (either end computes the same). */
export function connectionKeyFromMafSession(
  exportKeyingMaterial: (length: number, label: string, context?: Buffer) => Buffer,
  mafFqdn: string,
): ConnectionKey {
  const { kc, kcID } = splitConnectionExport(exportKeyingMaterial(EXPORTER_LENGTH, EXPORTER_LABEL_CONNECTION));
  return { kc, kcId: kcID, keyIdentifier: formatKcKeyIdentifier(kcID, mafFqdn) };
}
