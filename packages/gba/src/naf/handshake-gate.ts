// Lets a NAF accept a device whose B-TID it has never seen, in one handshake, despite Node's synchronous
// pskCallback: raw connections are accepted here, the client's bytes are scanned for the psk_identity of
// the TLS 1.2 ClientKeyExchange, and that message is held back until Ks_NAF for the B-TID is in the
// NafKeyCache (fetched over Zn) or the fetch failed / timed out. Then the bytes flow on unchanged to the
// tls.Server, whose pskCallback finds the key. Only TLS 1.2 PSK handshakes are gated (the identity of
// TLS 1.3 travels in the ClientHello, which this NAF profile does not negotiate).
import net from 'node:net';
import { Duplex } from 'node:stream';
import type tls from 'node:tls';
import type { NafKeyCache } from './key-cache.js';
import { PskIdentityScanner } from './psk-identity-scanner.js';

export interface HandshakeGateOptions {
  /** Longest a handshake waits for the Zn fetch; default 5000 ms. */
  readonly maxWaitMs?: number;
}

/** A net.Server to listen on instead of `tlsServer` (which must use nafTlsPskOptions(cache)). */
export function gateNafHandshakes(
  tlsServer: tls.Server,
  cache: NafKeyCache,
  options: HandshakeGateOptions = {},
): net.Server {
  const maxWaitMs = options.maxWaitMs ?? 5000;
  const ready = (identity: string) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, maxWaitMs);
      cache.prepare(identity).finally(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  return net.createServer((raw) => {
    raw.setNoDelay(true);
    tlsServer.emit('connection', new GatedSocket(raw, ready));
  });
}

class GatedSocket extends Duplex {
  readonly #raw: net.Socket;
  readonly #scanner = new PskIdentityScanner();
  #held: Buffer[] | undefined;
  #transparent = false;
  #ended = false;
  #rawClosed = false;

  constructor(raw: net.Socket, ready: (identity: string) => Promise<void>) {
    super({ allowHalfOpen: false });
    this.#raw = raw;
    raw.on('data', (chunk: Buffer) => {
      if (this.#held) {
        this.#held.push(chunk);
        return;
      }
      if (!this.#transparent) {
        const identity = this.#scanner.feed(chunk);
        if (identity === undefined) return this.#forward(chunk);
        if (identity === null) {
          this.#transparent = true;
          return this.#forward(chunk);
        }
        this.#held = [chunk];
        raw.pause();
        void ready(identity).then(() => this.#release());
        return;
      }
      this.#forward(chunk);
    });
    raw.on('end', () => {
      this.#ended = true;
      if (!this.#held) this.push(null);
    });
    raw.on('error', (e) => this.destroy(e));
    raw.on('close', () => {
      this.#rawClosed = true;
      if (!this.destroyed && !this.#held) this.destroy();
    });
  }

  get remoteAddress(): string | undefined {
    return this.#raw.remoteAddress;
  }

  get remotePort(): number | undefined {
    return this.#raw.remotePort;
  }

  #forward(chunk: Buffer): void {
    if (!this.push(chunk)) this.#raw.pause();
  }

  #release(): void {
    const held = this.#held ?? [];
    this.#held = undefined;
    this.#transparent = true;
    if (this.destroyed) return;
    if (this.#rawClosed) {
      this.destroy();
      return;
    }
    for (const c of held) this.push(c);
    if (this.#ended) this.push(null);
    else this.#raw.resume();
  }

  override _read(): void {
    if (!this.#held) this.#raw.resume();
  }

  override _write(chunk: Buffer, encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.#raw.write(chunk, encoding, callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.#raw.end(() => callback());
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#raw.destroy();
    callback(error);
  }
}
