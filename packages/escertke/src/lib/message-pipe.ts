// A Duplex between a Node TLS socket and ESCertKE Messages: what TLS writes is collected until the flight
// is complete (lib/flight.ts); a received ESCertKE Message is pushed in as if it came from the network.
import { Duplex } from 'node:stream';
import { flightComplete } from './flight.js';

export class MessagePipe extends Duplex {
  private out: Buffer[] = [];
  private waiting: { n: 1 | 2 | 3 | 4; resolve: (b: Buffer) => void; reject: (e: Error) => void } | undefined;
  private failed: Error | undefined;

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    this.out.push(Buffer.from(chunk));
    this.check();
    cb();
  }
  override _read(): void {}

  /** Resolves with flight `n` once TLS has written all of it. */
  nextFlight(n: 1 | 2 | 3 | 4): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      if (this.failed) return reject(this.failed);
      this.waiting = { n, resolve, reject };
      this.check();
    });
  }

  deliver(message: Buffer): void {
    this.push(message);
  }

  fail(e: Error): void {
    this.failed = e;
    this.waiting?.reject(e);
    this.waiting = undefined;
  }

  private check(): void {
    if (!this.waiting) return;
    const buf = Buffer.concat(this.out);
    if (!flightComplete(this.waiting.n, buf)) return;
    this.out = [];
    const w = this.waiting;
    this.waiting = undefined;
    w.resolve(buf);
  }
}
