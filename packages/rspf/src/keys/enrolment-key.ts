// Enrolment Key Generation (TS-0003 8.3.2.1, 10.3.1, 10.3.4): after the MEF Handshake both ends export
// 48 bytes with label EXPORTER-oneM2M-Bootstrap (no context), Ke = the 32 least significant bytes,
// RelativeKeID = the 16 most significant; KeID = hexBinary(RelativeKeID)@MEF-FQDN. Identical for the
// pre-provisioned symmetric key and the certificate-based frameworks (8.3.2.1 NOTE 3, 8.3.2.2).
import type { TLSSocket } from 'node:tls';
import { EXPORTER_LABEL_BOOTSTRAP, EXPORTER_LENGTH, formatKeID, splitBootstrapExport } from '@m2msec/crypto';
import { RspfError } from '../lib/errors.js';

export interface EnrolmentKey {
  /** The Enrolment Key: derive only, never a PSK itself. */
  ke: Buffer;
  relativeKeID: Buffer;
  keId: string;
}

export function enrolmentKeyFromSession(socket: TLSSocket, mefFqdn: string): EnrolmentKey {
  if (!socket.getFinished?.()) throw new RspfError('HANDSHAKE', 'the MEF Handshake has not completed on this session');
  // No context value (10.3.1 names none); the Node typings insist on a third argument.
  return enrolmentKeyFromExporter(
    (length, label) => socket.exportKeyingMaterial(length, label, undefined as unknown as Buffer),
    mefFqdn,
  );
}

/** The same from a session's RFC 5705 exporter (called without a context), e.g. a TlsContext's. */
export function enrolmentKeyFromExporter(
  exportKeyingMaterial: (length: number, label: string) => Uint8Array,
  mefFqdn: string,
): EnrolmentKey {
  const exported = exportKeyingMaterial(EXPORTER_LENGTH, EXPORTER_LABEL_BOOTSTRAP);
  try {
    const { ke, relativeKeID } = splitBootstrapExport(exported);
    return { ke: Buffer.from(ke), relativeKeID: Buffer.from(relativeKeID), keId: formatKeID(relativeKeID, mefFqdn) };
  } finally {
    exported.fill(0);
  }
}
