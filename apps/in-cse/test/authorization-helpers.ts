// Helpers for the authorization tests: an IN-CSE process with an authorization configuration, requests
// from a chosen loopback source address (rq_ip), ACP / container set-up, and the reference DAS process.
import { type ChildProcess, spawn } from 'node:child_process';
import { generateKeyPairSync, type KeyObject, randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { type InCseProcess, type M2MResponse, pgUrl, startInCse } from './harness.js';

export const keys = {
  das: generateKeyPairSync('ec', { namedCurve: 'P-256' }),
  authority: generateKeyPairSync('ec', { namedCurve: 'P-256' }),
};
export const jwkOf = (k: KeyObject) => k.export({ format: 'jwk' }) as Record<string, unknown>;

/** The store the authorization tests run on: SQLite, or PostgreSQL with M2MSEC_TEST_STORE=postgres. */
export const defaultTestStore = (): 'sqlite' | 'postgres' =>
  process.env.M2MSEC_TEST_STORE === 'postgres' ? 'postgres' : 'sqlite';

export interface AuthorizationCseOptions {
  store?: 'sqlite' | 'postgres';
  /** Start on the data of an earlier process (its dataDir and, on PostgreSQL, its schema). */
  dataDir?: string;
  pgSchema?: string;
  /** Keep the PostgreSQL schema when stopped (for a restart on the same data). */
  keepData?: boolean;
}

/**
 * Writes a configuration file and starts the IN-CSE with it. On PostgreSQL it gets a schema of its own,
 * dropped when the process is stopped unless `keepData`.
 */
export async function startAuthorizationCse(
  config: Record<string, unknown>,
  o: AuthorizationCseOptions = {},
): Promise<InCseProcess & { pgSchema?: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'm2msec-authz-'));
  const file = join(dir, 'in-cse.json');
  writeFileSync(file, JSON.stringify(config), { mode: 0o600 }); // it may hold a private JWK: 0600 or refused
  const store = o.store ?? defaultTestStore();
  const pgSchema = store === 'postgres' ? (o.pgSchema ?? `authz_${randomBytes(4).toString('hex')}`) : undefined;
  const cse = await startInCse({ store, pgSchema, dataDir: o.dataDir, env: { M2MSEC_CONFIG: file } });
  return {
    ...cse,
    pgSchema,
    async stop(signal?: NodeJS.Signals) {
      const code = await cse.stop(signal);
      if (!o.keepData) await dropTestSchema(pgSchema);
      return code;
    },
  };
}

/** Drops a PostgreSQL schema an authorization test used. */
export async function dropTestSchema(pgSchema: string | undefined): Promise<void> {
  if (!pgSchema) return;
  const c = new pg.Client({ connectionString: pgUrl });
  await c.connect();
  try {
    await c.query(`DROP SCHEMA IF EXISTS ${pgSchema} CASCADE`);
  } finally {
    await c.end();
  }
}

let rqi = 0;

/** One oneM2M request over HTTP from a chosen local (source) address, so the CSE sees that rq_ip. */
export function m2mFrom(
  base: string,
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  path: string,
  o: { from?: string; ty?: number; body?: unknown; headers?: Record<string, string>; localAddress?: string } = {},
): Promise<M2MResponse> {
  const url = new URL(base + path);
  const body = o.body === undefined ? undefined : Buffer.from(JSON.stringify(o.body));
  const headers: Record<string, string> = {
    'X-M2M-RI': `az${++rqi}`,
    'X-M2M-RVI': '3',
    Accept: 'application/json',
    ...(o.from !== undefined ? { 'X-M2M-Origin': o.from } : {}),
    ...(body
      ? { 'Content-Type': `application/json${o.ty ? `;ty=${o.ty}` : ''}`, 'Content-Length': String(body.length) }
      : {}),
    ...o.headers,
  };
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname + url.search,
        method,
        headers,
        localAddress: o.localAddress,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const h = new Headers();
          for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') h.set(k, v);
          resolve({
            status: res.statusCode!,
            rsc: Number(res.headers['x-m2m-rsc']),
            headers: h,
            body: text ? JSON.parse(text) : undefined,
          });
        });
      },
    );
    req.on('error', reject);
    if (body) req.write(body);
    req.end();
  });
}

/** The set-up most tests share: registered AEs, ACPs and containers owned by 'Cowner'. */
export function fixture(cse: InCseProcess) {
  const call = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, o: Parameters<typeof m2mFrom>[3] = {}) =>
    m2mFrom(cse.url, method, path, o);
  return {
    call,
    async register(...aes: string[]) {
      for (const ae of aes) {
        const r = await call('POST', '/cse-in', {
          from: ae,
          ty: 2,
          body: { 'm2m:ae': { rn: ae, api: 'Ntest', rr: true, srv: ['3'] } },
        });
        if (r.rsc !== 2001) throw new Error(`register ${ae}: ${r.rsc} ${JSON.stringify(r.body)}`);
      }
    },
    async acp(rn: string, pv: object[], pvs: object[] = [{ acor: ['Cowner'], acop: 63 }]): Promise<string> {
      const r = await call('POST', '/cse-in/Cowner', {
        from: 'Cowner',
        ty: 1,
        body: { 'm2m:acp': { rn, pv: { acr: pv }, pvs: { acr: pvs } } },
      });
      if (r.rsc !== 2001) throw new Error(`acp ${rn}: ${r.rsc} ${JSON.stringify(r.body)}`);
      return r.body['m2m:acp'].ri;
    },
    async container(rn: string, attrs: Record<string, unknown> = {}): Promise<string> {
      const r = await call('POST', '/cse-in/Cowner', { from: 'Cowner', ty: 3, body: { 'm2m:cnt': { rn, ...attrs } } });
      if (r.rsc !== 2001) throw new Error(`cnt ${rn}: ${r.rsc} ${JSON.stringify(r.body)}`);
      return r.body['m2m:cnt'].ri;
    },
    /** A container under Cowner protected by one policy with the given rules. */
    async protectedBy(rn: string, pv: object[]): Promise<string> {
      const p = await this.acp(`${rn}-acp`, pv);
      await this.container(rn, { acpi: [p] });
      return `/cse-in/Cowner/${rn}`;
    },
  };
}

const dasMain = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'das', 'dist', 'main.js');

export interface DasProcess {
  url: string;
  output(): string;
  consultations(): Array<{
    dreq: Record<string, unknown>;
    rule: string | null;
    granted: { policy: boolean; tokens: number };
  }>;
  stop(): void;
}

/** Starts the reference DAS (apps/das) as its own process on a free port. */
export async function startDas(rules: object[]): Promise<DasProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'm2msec-das-'));
  const file = join(dir, 'das.json');
  writeFileSync(
    file,
    JSON.stringify({
      dasId: '/id-in/CDas',
      spId: 'm2msec.org',
      http: { host: '127.0.0.1', port: 0 },
      signingKey: jwkOf(keys.das.privateKey),
      alg: 'ES256',
      tokenIdDomain: 'das.m2msec.org',
      rules,
    }),
    { mode: 0o600 }, // it holds the DAS signing key: owner-only or the DAS refuses to start
  );
  const child: ChildProcess = spawn(process.execPath, [dasMain], { env: { ...process.env, M2MSEC_DAS_CONFIG: file } });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const deadline = Date.now() + 15_000;
  while (!/"event":"ready"/.test(out)) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`das did not start: ${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const ready = JSON.parse(out.split('\n').find((l) => l.includes('"ready"'))!);
  const lines = () =>
    out
      .split('\n')
      .filter((l) => l.includes('"consultation"'))
      .map((l) => JSON.parse(l));
  return { url: `${ready.url}/das`, output: () => out, consultations: lines, stop: () => child.kill() };
}
