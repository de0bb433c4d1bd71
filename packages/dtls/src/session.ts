// One established DTLS association with a peer: what the handshake proved and a datagram pipe.
import type { DtlsNative, NativeConnection } from './native.js';

export interface DtlsPeer {
  address: string;
  port: number;
}

export class DtlsSession {
  /** Called with each decrypted application datagram. */
  onData: ((data: Buffer) => void) | undefined;
  /** Called once when the session ends (close, idle expiry, peer close_notify, fatal error). */
  onClose: ((reason: string) => void) | undefined;
  readonly pskIdentity: Buffer | undefined;
  readonly certificate: Buffer | undefined;
  readonly cipher: string;
  private closed = false;

  constructor(
    private readonly native: DtlsNative,
    private readonly conn: NativeConnection,
    readonly peer: DtlsPeer,
    private readonly sendDatagram: (d: Buffer) => void,
    private readonly release: () => void,
  ) {
    const info = native.peer(conn);
    this.pskIdentity = info.pskIdentity;
    this.certificate = info.certificate;
    this.cipher = info.cipher;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Encrypts and sends one application datagram (one CoAP message). */
  send(data: Buffer): void {
    if (this.closed) throw new Error('DTLS session is closed');
    for (const d of this.native.write(this.conn, data)) this.sendDatagram(d);
  }

  /** RFC 5705 exporter of this session. */
  exportKeyingMaterial(length: number, label: string, context?: Uint8Array): Buffer {
    return this.native.exportKeyingMaterial(
      this.conn,
      length,
      label,
      context === undefined ? undefined : Buffer.from(context),
    );
  }

  /** Sends close_notify and frees the association. */
  close(reason = 'closed'): void {
    if (this.closed) return;
    this.closed = true;
    try {
      for (const d of this.native.close(this.conn)) this.sendDatagram(d);
    } catch {
      // already freed
    }
    this.release();
    this.onClose?.(reason);
  }

  /** @internal: the transport already freed the connection. */
  ended(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.onClose?.(reason);
  }
}
