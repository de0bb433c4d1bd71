// The ESCertKE Terminating End-Point (TS-0003 8.7.2.2): the TLS 1.2 server, requiring the Initiating
// End-Point's certificate (CertificateRequest in Message 2). Message 1 gives Message 2; Message 3 gives
// Message 4 and the pairwiseE2EKey, once the initiator's certificate proved an identity it was configured
// to accept (step B).
import { createServer, type TLSSocket } from 'node:tls';
import { TLS12_ECDHE_ECDSA_CIPHERS } from '@m2msec/saef';
import { type EscertkeCredentials, peerIdentity } from './credentials.js';
import { type EstablishedE2EKey, exportPairwiseE2EKey } from './established.js';
import { EscertkeError } from './lib/errors.js';
import { wellFormedFlight } from './lib/flight.js';
import { MessagePipe } from './lib/message-pipe.js';

export interface TerminatingOptions extends EscertkeCredentials {
  /** Initiating End-Points this end-point may establish keys with (their AE-ID / CSE-ID). */
  isAuthorizedInitiator(id: string): boolean;
}

export class TerminatingEndPoint {
  private readonly pipe = new MessagePipe();
  private socket: TLSSocket | undefined;
  private readonly secure: Promise<TLSSocket>;
  private step: 0 | 2 | 4 = 0;

  constructor(private readonly o: TerminatingOptions) {
    // A tls.Server fed one Duplex: the server path is the one that enforces requestCert / rejectUnauthorized
    // (a bare TLSSocket with isServer does not reject an unverified client certificate).
    const server = createServer({
      cert: o.cert,
      key: o.key,
      ca: o.ca,
      minVersion: 'TLSv1.2',
      maxVersion: 'TLSv1.2',
      ciphers: TLS12_ECDHE_ECDSA_CIPHERS.join(':'),
      ecdhCurve: 'P-256',
      requestCert: true,
      rejectUnauthorized: true,
    });
    this.secure = new Promise((resolve, reject) => {
      server.once('secureConnection', (socket: TLSSocket) => {
        this.socket = socket;
        resolve(socket);
      });
      server.once('tlsClientError', (e) => {
        const err = new EscertkeError(
          'ERR_ESCERTKE_HANDSHAKE',
          `the ESCertKE handshake failed: ${(e as { code?: string }).code ?? 'TLS error'}`,
        );
        this.pipe.fail(err);
        reject(err);
      });
    });
    this.secure.catch(() => undefined);
    server.emit('connection', this.pipe);
  }

  /** C.1.c: processes Message 1, returns Message 2. */
  async processMessage1(message1: Uint8Array): Promise<Buffer> {
    if (this.step !== 0) throw new EscertkeError('ERR_ESCERTKE_MESSAGE', 'Message 1 arrived out of order');
    this.step = 2;
    this.deliver(message1);
    return this.pipe.nextFlight(2);
  }

  /** C.1.g and C.2: processes Message 3, returns Message 4 and the established key. */
  async processMessage3(message3: Uint8Array): Promise<{ message4: Buffer; established: EstablishedE2EKey }> {
    if (this.step !== 2) throw new EscertkeError('ERR_ESCERTKE_MESSAGE', 'Message 3 arrived out of order');
    this.step = 4;
    this.deliver(message3);
    try {
      const message4 = await this.pipe.nextFlight(4);
      const socket = await this.secure;
      if (!socket.authorized)
        throw new EscertkeError('ERR_ESCERTKE_HANDSHAKE', "the initiator's certificate did not verify");
      const peer = peerIdentity(socket.getPeerCertificate()?.raw, this.o.identityContext, (id) =>
        this.o.isAuthorizedInitiator(id),
      );
      return { message4, established: exportPairwiseE2EKey(socket, peer) };
    } finally {
      this.close();
    }
  }

  private deliver(m: Uint8Array): void {
    const b = Buffer.from(m);
    if (!wellFormedFlight(b)) {
      this.close();
      throw new EscertkeError('ERR_ESCERTKE_MESSAGE', 'the ESCertKE Message is not a sequence of TLS 1.2 records');
    }
    this.pipe.deliver(b);
  }

  close(): void {
    this.socket?.destroy();
    this.pipe.destroy();
  }
}
