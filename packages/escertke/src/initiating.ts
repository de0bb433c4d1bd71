// The ESCertKE Initiating End-Point (TS-0003 8.7.2.2): the TLS 1.2 client. It produces Message 1, turns
// Message 2 into Message 3, and on Message 4 exports the pairwiseE2EKey, having checked that the
// Terminating End-Point's certificate proves the identity it was commanded to reach (step B).
import { connect, type TLSSocket } from 'node:tls';
import { TLS12_ECDHE_ECDSA_CIPHERS } from '@m2msec/saef';
import { type EscertkeCredentials, peerIdentity } from './credentials.js';
import { type EstablishedE2EKey, exportPairwiseE2EKey } from './established.js';
import { EscertkeError } from './lib/errors.js';
import { wellFormedFlight } from './lib/flight.js';
import { MessagePipe } from './lib/message-pipe.js';

export interface InitiatingOptions extends EscertkeCredentials {
  /** The Terminating End-Point's AE-ID / CSE-ID (SP-relative), as its certificate must prove it. */
  terminatingId: string;
}

export class InitiatingEndPoint {
  private readonly pipe = new MessagePipe();
  private readonly socket: TLSSocket;
  private readonly secure: Promise<void>;
  private step: 0 | 1 | 3 | 4 = 0;

  constructor(private readonly o: InitiatingOptions) {
    this.socket = connect({
      socket: this.pipe,
      cert: o.cert,
      key: o.key,
      ca: o.ca,
      minVersion: 'TLSv1.2',
      maxVersion: 'TLSv1.2',
      ciphers: TLS12_ECDHE_ECDSA_CIPHERS.join(':'),
      ecdhCurve: 'P-256',
      rejectUnauthorized: true,
      // The peer is named by its oneM2M identity, checked after the handshake against the certificate.
      checkServerIdentity: () => undefined,
    });
    this.secure = new Promise((resolve, reject) => {
      this.socket.once('secureConnect', () => resolve());
      this.socket.once('error', (e) => {
        const err = new EscertkeError(
          'ERR_ESCERTKE_HANDSHAKE',
          `the ESCertKE handshake failed: ${(e as { code?: string }).code ?? 'TLS error'}`,
        );
        this.pipe.fail(err);
        reject(err);
      });
    });
    this.secure.catch(() => undefined);
  }

  /** C.1.a: ESCertKE Message 1 (ClientHello). */
  async message1(): Promise<Buffer> {
    if (this.step !== 0) throw new EscertkeError('ERR_ESCERTKE_MESSAGE', 'Message 1 was already produced');
    this.step = 1;
    return this.pipe.nextFlight(1);
  }

  /** C.1.e: processes Message 2, returns Message 3. */
  async processMessage2(message2: Uint8Array): Promise<Buffer> {
    if (this.step !== 1) throw new EscertkeError('ERR_ESCERTKE_MESSAGE', 'Message 2 arrived out of order');
    this.step = 3;
    this.deliver(message2);
    return this.pipe.nextFlight(3);
  }

  /** C.1.i and C.2: processes Message 4; the pairwiseE2EKey once the peer proved the expected identity. */
  async processMessage4(message4: Uint8Array): Promise<EstablishedE2EKey> {
    if (this.step !== 3) throw new EscertkeError('ERR_ESCERTKE_MESSAGE', 'Message 4 arrived out of order');
    this.step = 4;
    this.deliver(message4);
    try {
      await this.secure;
      if (!this.socket.authorized)
        throw new EscertkeError('ERR_ESCERTKE_HANDSHAKE', `the terminating end-point's certificate did not verify`);
      const peer = peerIdentity(
        this.socket.getPeerCertificate()?.raw,
        this.o.identityContext,
        (id) => id === this.o.terminatingId,
      );
      return exportPairwiseE2EKey(this.socket, peer);
    } finally {
      this.socket.destroy();
    }
  }

  private deliver(m: Uint8Array): void {
    const b = Buffer.from(m);
    if (!wellFormedFlight(b)) {
      this.socket.destroy();
      throw new EscertkeError('ERR_ESCERTKE_MESSAGE', 'the ESCertKE Message is not a sequence of TLS 1.2 records');
    }
    this.pipe.deliver(b);
  }

  close(): void {
    this.socket.destroy();
  }
}
