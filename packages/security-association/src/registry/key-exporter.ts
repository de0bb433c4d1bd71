// RFC 5705 keying material exporter of a security association's TLS session, as the frameworks use
// it (TS-0003 10.3.1 labels: EXPORTER-oneM2M-Bootstrap / -Connection / -ESCertKE, 48 bytes).
import type { TLSSocket } from 'node:tls';

export type KeyExporter = (length: number, label: string, context?: Uint8Array) => Uint8Array;

export function keyExporter(socket: TLSSocket): KeyExporter {
  return (length, label, context) => {
    if (!Number.isInteger(length) || length < 1 || length > 1024) throw new RangeError('exporter length 1..1024');
    if (typeof label !== 'string' || !label.startsWith('EXPORTER')) {
      throw new RangeError("exporter labels start with 'EXPORTER' (RFC 5705 4)");
    }
    // No context and an empty context differ in RFC 5705; Node's typing wants a Buffer, its code accepts none.
    const out = socket.exportKeyingMaterial(length, label, (context ? Buffer.from(context) : undefined) as Buffer);
    return new Uint8Array(out);
  };
}
