// TS-0003 8.7.2.2 C.2 and 10.3.1: after the handshake both end-points export 48 bytes with the label
// "EXPORTER-oneM2M-ESCertKE"; pairwiseE2EKey = the 32 least significant bytes, pairwiseE2EKeyID = the 16
// most significant. The key is usable directly as a pairwiseESPrimKey (8.4.2 A) or an ESData key (8.5.2.2.2).
import type { TLSSocket } from 'node:tls';
import { EXPORTER_LABEL_ESCERTKE, EXPORTER_LENGTH, splitEscertkeExport } from '@m2msec/crypto';
import type { CertificateIdentity } from '@m2msec/saef';

export interface EstablishedE2EKey {
  readonly pairwiseE2EKey: Buffer;
  /** pairwiseE2EKeyID as bytes, and as the key identifier the JOSE "kid" carries (lower-case hex). */
  readonly pairwiseE2EKeyID: Buffer;
  readonly kid: string;
  /** Who the peer's certificate proved (AE-ID / CSE-ID, SP-relative), to associate with the key. */
  readonly peer: CertificateIdentity;
}

export function exportPairwiseE2EKey(socket: TLSSocket, peer: CertificateIdentity): EstablishedE2EKey {
  // RFC 5705 without a context (TS-0003 10.3.1 names none): not the same as an empty context.
  const out = socket.exportKeyingMaterial(EXPORTER_LENGTH, EXPORTER_LABEL_ESCERTKE, undefined as unknown as Buffer);
  const { pairwiseE2EKey, pairwiseE2EKeyID } = splitEscertkeExport(out);
  out.fill(0);
  return { pairwiseE2EKey, pairwiseE2EKeyID, kid: pairwiseE2EKeyID.toString('hex'), peer };
}
