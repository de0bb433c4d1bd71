// The conformance suite's harness: every file describes one TS-0004 clause family; `conformance`
// runs its tests against the built IN-CSE process on both stores (SQLite, and PostgreSQL in a schema
// of its own), `clause` tags each test with the clause it shows (scripts/table.mjs reads the tags).
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { type InCseProcess, type M2MResponse, m2m, pgUrl, startInCseProcess } from '@m2msec/test-support';
import pg from 'pg';
import { afterAll, beforeAll, describe, it } from 'vitest';

export { type M2MResponse, m2m } from '@m2msec/test-support';

// M2MSEC_CONFORMANCE_IN_CSE: another build's main.js (e.g. to show which tests an older build fails).
const inCseMain =
  process.env.M2MSEC_CONFORMANCE_IN_CSE ??
  join(dirname(createRequire(import.meta.url).resolve('@m2msec/in-cse/package.json')), 'dist', 'main.js');

export type StoreKind = 'sqlite' | 'postgres';
export const STORES: readonly StoreKind[] = ['sqlite', 'postgres'];

/** A test tagged with its clause: the title starts with "[<clause>]". */
export function clause(id: string, title: string, fn: () => Promise<void>, timeout?: number): void {
  it(`[${id}] ${title}`, fn, timeout);
}

export interface Cse {
  url: string;
  store: StoreKind;
  process: InCseProcess;
  /** One request as `from` (default 'CAdmin'). */
  req(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    path: string,
    o?: { from?: string; ty?: number; body?: unknown; headers?: Record<string, string> },
  ): Promise<M2MResponse>;
}

/**
 * Runs `body` once per store against a fresh IN-CSE started with `config` (merged over the IN-CSE
 * defaults). Inside, `cse()` is the running CSE.
 */
export function conformance(title: string, config: Record<string, unknown>, body: (cse: () => Cse) => void): void {
  for (const store of STORES) {
    describe(`${title} (${store})`, () => {
      let current: Cse | undefined;
      const pgSchema = `conf_${randomBytes(5).toString('hex')}`;
      beforeAll(async () => {
        // The suite's notification receivers listen on loopback, which the IN-CSE refuses as a target
        // unless allowed (docs/hardening.md): allowed here as an operator would allow a local gateway.
        const env = { M2MSEC_NOTIFICATION_ALLOW_TARGETS: '127.0.0.1' };
        const process = await startInCseProcess({ main: inCseMain, store, pgSchema, config, env });
        current = {
          url: process.url,
          store,
          process,
          req: (method, path, o = {}) => m2m(process.url, method, path, { from: 'CAdmin', ...o }),
        };
      });
      afterAll(async () => {
        await current?.process.stop();
        if (store === 'postgres') {
          const c = new pg.Client({ connectionString: pgUrl });
          await c.connect();
          await c.query(`DROP SCHEMA IF EXISTS ${pgSchema} CASCADE`);
          await c.end();
        }
      });
      body(() => {
        if (!current) throw new Error('the IN-CSE did not start');
        return current;
      });
    });
  }
}

export interface ReceivedNotification {
  path: string;
  headers: IncomingHttpHeaders;
  body: any;
  at: number;
}

/**
 * A notification target on 127.0.0.1: records every NOTIFY (POST) and answers with `rsc()` (2000 by
 * default) as TS-0009 says, the status in X-M2M-RSC.
 */
export class Receiver {
  readonly received: ReceivedNotification[] = [];
  rsc: (n: ReceivedNotification) => number = () => 2000;
  private server!: Server;
  url = '';

  static async start(): Promise<Receiver> {
    const r = new Receiver();
    r.server = createServer((req, res) => {
      let data = '';
      req.on('data', (d) => (data += d));
      req.on('end', () => {
        const n: ReceivedNotification = {
          path: req.url ?? '',
          headers: req.headers,
          body: data ? JSON.parse(data) : undefined,
          at: Date.now(),
        };
        r.received.push(n);
        const rsc = r.rsc(n);
        res.writeHead(rsc < 3000 ? 200 : rsc < 5000 ? 400 : 500, {
          'X-M2M-RSC': String(rsc),
          'X-M2M-RI': String(req.headers['x-m2m-ri'] ?? ''),
        });
        res.end();
      });
    });
    await new Promise<void>((resolve) => r.server.listen(0, '127.0.0.1', resolve));
    r.url = `http://127.0.0.1:${(r.server.address() as { port: number }).port}`;
    return r;
  }

  /** Notifications whose m2m:sgn matches `pred`. */
  sgn(pred: (sgn: any) => boolean = () => true): ReceivedNotification[] {
    return this.received.filter((n) => n.body?.['m2m:sgn'] && pred(n.body['m2m:sgn']));
  }

  /** Waits until `count()` reaches `n` (default 1). */
  async waitFor(count: () => number, n = 1, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (count() < n) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${n} notifications (have ${count()})`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  clear(): void {
    this.received.length = 0;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let aeCounter = 0;

/** Registers an AE (From 'C<name>') and returns its AE-ID and structured path. */
export async function registerAe(
  cse: Cse,
  o: { poa?: string[]; rr?: boolean } = {},
): Promise<{ aei: string; path: string; rn: string }> {
  const rn = `ae${++aeCounter}${randomBytes(3).toString('hex')}`;
  const r = await cse.req('POST', '/cse-in', {
    from: `C${rn}`,
    ty: 2,
    body: {
      'm2m:ae': {
        rn,
        api: 'Nconformance',
        rr: o.rr ?? o.poa !== undefined,
        srv: ['3'],
        ...(o.poa ? { poa: o.poa } : {}),
      },
    },
  });
  if (r.rsc !== 2001) throw new Error(`AE registration failed: ${r.rsc} ${JSON.stringify(r.body)}`);
  return { aei: r.body['m2m:ae'].aei, path: `/cse-in/${rn}`, rn };
}
