// The MEF CA's CRL (RFC 5280 5; TS-0003 8.1.2.2 certificate status verification): made from the
// revoked, unexpired records of mef-issued-certificates, signed by the CA key in the SE, with a
// nextUpdate. Regenerated at once after a revocation (before the revocation is acknowledged) and
// periodically (half the validity), so a relying party fetching it never holds one past
// nextUpdate while the MEF runs, and instances sharing one database converge within that period.
// cRLNumber lives in the store and only grows (RFC 5280 5.2.3), also across instances.
import { type CertificateAuthority, CRL_REASONS, type CrlReason, issueCrl } from '@m2msec/est';
import { sortableNumber } from '@m2msec/store';
import type { MefStore } from '../store/mef-store.js';

export interface CrlPublisherOptions {
  /** Seconds from thisUpdate to nextUpdate; default 3600. */
  nextUpdateSeconds?: number;
  now?: () => number;
  onError?: (message: string) => void;
}

export interface PublishedCrl {
  der: Uint8Array;
  thisUpdate: Date;
  nextUpdate: Date;
  crlNumber: bigint;
}

const CRL_NUMBER_KEY = 'crl-number';

export class CrlPublisher {
  #current: PublishedCrl | undefined;
  #revoked = new Set<string>();
  #timer: NodeJS.Timeout | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  readonly #validityMs: number;
  readonly #now: () => number;

  constructor(
    private readonly store: MefStore,
    private readonly ca: CertificateAuthority,
    private readonly o: CrlPublisherOptions = {},
  ) {
    const s = o.nextUpdateSeconds ?? 3600;
    if (!Number.isInteger(s) || s < 60) throw new RangeError('CRL nextUpdateSeconds must be an integer >= 60');
    this.#validityMs = s * 1000;
    this.#now = o.now ?? Date.now;
  }

  /** Makes the first CRL and keeps it fresh. */
  async start(): Promise<void> {
    await this.regenerate();
    this.#timer = setInterval(() => {
      this.regenerate().catch((e) => this.o.onError?.(`CRL regeneration failed: ${(e as Error).message}`));
    }, this.#validityMs / 2);
    this.#timer.unref();
  }

  get current(): PublishedCrl | undefined {
    return this.#current;
  }

  /** Synchronous: is this canonical serial on the CRL this instance published last? */
  isRevoked(serialNumber: string): boolean {
    return this.#revoked.has(serialNumber);
  }

  /**
   * Re-reads the revocations and signs a new CRL. Runs one at a time, in call order, so a
   * revocation committed before the call is on the CRL this call resolves with.
   */
  regenerate(): Promise<PublishedCrl> {
    const run = this.#queue.then(() => this.#make());
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #make(): Promise<PublishedCrl> {
    const now = this.#now();
    // The revoked-by-notAfter index from just past now: the unexpired revoked certificates only.
    const revoked = (await this.store.issued.range('revoked', { from: sortableNumber(now + 1) })).map(
      ({ value }) => value,
    );
    const crlNumber = await this.store.store.transaction(async (tx) => {
      const meta = tx.collection<string>('mef-meta');
      const next = BigInt((await meta.get(CRL_NUMBER_KEY)) ?? '0') + 1n;
      await meta.put(CRL_NUMBER_KEY, next.toString());
      return next;
    });
    const thisUpdate = new Date(Math.floor(now / 1000) * 1000);
    const nextUpdate = new Date(thisUpdate.getTime() + this.#validityMs);
    const der = await issueCrl(this.ca, {
      thisUpdate,
      nextUpdate,
      crlNumber,
      revoked: revoked.map((r) => ({
        serialNumber: r.serialNumber,
        revocationDate: new Date(r.revokedAt!),
        ...(isReason(r.reason) ? { reason: r.reason } : {}),
      })),
    });
    this.#current = { der, thisUpdate, nextUpdate, crlNumber };
    this.#revoked = new Set(revoked.map((r) => r.serialNumber));
    return this.#current;
  }

  close(): void {
    if (this.#timer) clearInterval(this.#timer);
  }
}

const isReason = (r: unknown): r is CrlReason => typeof r === 'string' && (CRL_REASONS as string[]).includes(r);
