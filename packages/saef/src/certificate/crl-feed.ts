// Keeps a CertificateRevocation fed (issue 12 item 6): CRL files re-read when they change and a CRL
// distribution point (the MEF's GET /crl) fetched periodically. Everything happens on timers, never
// in a TLS callback. The first load is awaited by start(): a listener starts with its CRLs in place,
// or not at all (a configured CRL that cannot be had is a start-up error, not a silent fail-open).
import { readFile, stat } from 'node:fs/promises';
import { SaefError } from '../lib/errors.js';
import type { CertificateRevocation } from './revocation.js';

export interface CrlFeedOptions {
  /** CRL files (PEM or DER), re-read when their modification time or size changes. */
  files?: readonly string[];
  /** http(s) URL of a CRL (DER or PEM), fetched every refreshSeconds. */
  url?: string;
  /** Seconds between checks; default 60. */
  refreshSeconds?: number;
  /** How long start() retries the URL before giving up; default 30 s. */
  startupTimeoutSeconds?: number;
  onError?: (message: string) => void;
}

const MAX_CRL_BYTES = 8 * 1024 * 1024;

export class CrlFeed {
  readonly #seen = new Map<string, string>();
  #timer: NodeJS.Timeout | undefined;
  #urlCrl: Uint8Array | undefined;
  #fileCrls = new Map<string, Uint8Array>();
  #busy = false;

  constructor(
    private readonly revocation: CertificateRevocation,
    private readonly o: CrlFeedOptions,
  ) {
    if (o.url !== undefined && !/^https?:\/\//.test(o.url)) {
      throw new SaefError('INVALID_INPUT', 'the CRL URL must be http or https');
    }
  }

  async start(): Promise<void> {
    await this.#readFiles(true);
    if (this.o.url) {
      const deadline = Date.now() + (this.o.startupTimeoutSeconds ?? 30) * 1000;
      for (;;) {
        try {
          await this.#fetchUrl();
          break;
        } catch (e) {
          if (Date.now() > deadline) {
            throw new SaefError(
              'INVALID_INPUT',
              `the CRL at ${this.o.url} could not be loaded: ${(e as Error).message}`,
            );
          }
          await new Promise((r) => setTimeout(r, 500));
        }
      }
    }
    this.#apply();
    const every = Math.max(1, this.o.refreshSeconds ?? 60) * 1000;
    this.#timer = setInterval(() => void this.refresh(), every);
    this.#timer.unref();
  }

  /** One check of every source (also what the timer runs). */
  async refresh(): Promise<void> {
    if (this.#busy) return;
    this.#busy = true;
    try {
      const files = await this.#readFiles(false).catch((e) => {
        this.o.onError?.(`CRL file: ${(e as Error).message}`);
        return false;
      });
      const url = this.o.url
        ? await this.#fetchUrl().then(
            () => true,
            (e) => {
              this.o.onError?.(`CRL fetch from ${this.o.url}: ${(e as Error).message}`);
              return false;
            },
          )
        : false;
      if (files || url) this.#apply();
    } finally {
      this.#busy = false;
    }
  }

  close(): void {
    if (this.#timer) clearInterval(this.#timer);
  }

  #apply(): void {
    const all = [...this.#fileCrls.values(), ...(this.#urlCrl ? [this.#urlCrl] : [])];
    this.revocation.update(all, (m) => this.o.onError?.(`CRL refused: ${m}`));
  }

  /** Re-reads files whose stat changed; returns whether any did. */
  async #readFiles(strict: boolean): Promise<boolean> {
    let changed = false;
    for (const f of this.o.files ?? []) {
      try {
        const s = await stat(f);
        const tag = `${s.mtimeMs}:${s.size}`;
        if (this.#seen.get(f) === tag) continue;
        this.#fileCrls.set(f, await readFile(f));
        this.#seen.set(f, tag);
        changed = true;
      } catch (e) {
        if (strict) throw new SaefError('INVALID_INPUT', `CRL file ${f}: ${(e as Error).message}`);
        this.o.onError?.(`CRL file ${f}: ${(e as Error).message}`);
      }
    }
    return changed;
  }

  async #fetchUrl(): Promise<void> {
    const res = await fetch(this.o.url!, { signal: AbortSignal.timeout(10_000), redirect: 'error' });
    if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
    const body = new Uint8Array(await res.arrayBuffer());
    if (body.length === 0 || body.length > MAX_CRL_BYTES) throw new Error('empty or oversized CRL');
    this.#urlCrl = body;
  }
}
