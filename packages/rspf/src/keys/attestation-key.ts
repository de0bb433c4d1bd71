// The key under which the enrolee's secure environment attests the provisioning session (DESIGN 3:
// provisioning ends with an attestation the issuer verifies). Both ends take it from the same TLS
// session with an exporter label of our own, so it is independent of Ke and of every key derived
// from Ke, and an attestation cannot be produced outside the enrolment's MEF Handshake.
import type { TLSSocket } from 'node:tls';

export const EXPORTER_LABEL_ATTESTATION = 'EXPORTER-m2msec-RSPF-Provisioning-Attestation';

export function attestationKeyFromSession(socket: TLSSocket): Buffer {
  return socket.exportKeyingMaterial(32, EXPORTER_LABEL_ATTESTATION, undefined as unknown as Buffer);
}
