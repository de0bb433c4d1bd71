// Proof-of-possession checks off the event loop. Importing a fresh P-256 key and verifying its
// signature is most of an enrolment's CPU time (~100 us); worker threads do it so the event
// loop keeps serving TLS and HTTP. Requests of one tick travel as one message. The worker code
// is inline (eval) so it runs the same from sources (tests, tsx) and from dist.
import { Worker } from 'node:worker_threads';
import type { ParsedCsr } from './parse-csr.js';

const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createPublicKey, verify } = require('node:crypto');
parentPort.on('message', (batch) => {
  const results = new Uint8Array(batch.length);
  for (let i = 0; i < batch.length; i++) {
    const { point, tbs, signature } = batch[i];
    try {
      const key = createPublicKey({ key: { kty: 'EC', crv: 'P-256',
        x: Buffer.from(point.buffer, point.byteOffset + 1, 32).toString('base64url'),
        y: Buffer.from(point.buffer, point.byteOffset + 33, 32).toString('base64url') }, format: 'jwk' });
      results[i] = verify('sha256', tbs, key, signature) ? 1 : 0;
    } catch { results[i] = 0; }
  }
  parentPort.postMessage(results);
});`;

interface Job {
  point: Uint8Array;
  tbs: Uint8Array;
  signature: Uint8Array;
}

class VerifyWorker {
  private readonly worker: Worker;
  private readonly inFlight: ((results: Uint8Array | undefined) => void)[] = [];
  private queue: { job: Job; resolve: (ok: boolean) => void }[] = [];
  private scheduled = false;
  dead = false;

  constructor() {
    this.worker = new Worker(WORKER_SOURCE, { eval: true });
    this.worker.unref();
    this.worker.on('message', (r: Uint8Array) => this.inFlight.shift()?.(r));
    const fail = () => {
      this.dead = true;
      for (const cb of this.inFlight.splice(0)) cb(undefined);
    };
    this.worker.on('error', fail);
    this.worker.on('exit', fail);
  }

  get load(): number {
    return this.queue.length + this.inFlight.length;
  }

  submit(job: Job): Promise<boolean> {
    return new Promise((resolve) => {
      this.queue.push({ job, resolve });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const batch = this.queue;
    this.queue = [];
    if (this.dead) {
      for (const b of batch) b.resolve(false);
      return;
    }
    this.inFlight.push((results) => {
      // a dead worker answers nothing: fail closed
      for (const [i, b] of batch.entries()) b.resolve(results?.[i] === 1);
    });
    this.worker.postMessage(batch.map((b) => b.job));
  }

  terminate(): Promise<number> {
    return this.worker.terminate();
  }
}

export class CsrVerifyPool {
  private workers: VerifyWorker[] = [];

  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError('a CSR verify pool needs at least one worker');
    for (let i = 0; i < size; i++) this.workers.push(new VerifyWorker());
  }

  /** True when the CSR signature verifies under its own public key. */
  verify(csr: ParsedCsr): Promise<boolean> {
    this.workers = this.workers.map((w) => (w.dead ? new VerifyWorker() : w));
    const best = this.workers.reduce((a, w) => (w.load < a.load ? w : a));
    return best.submit({ point: csr.publicPoint, tbs: csr.certificationRequestInfo, signature: csr.signature });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
    this.workers = [];
  }
}
