// Starts the built IN-CSE as its own process and talks to it over HTTP, as a user would.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const main = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'main.js');

export const pgUrl = process.env.M2MSEC_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export interface InCseProcess {
  url: string;
  port: number;
  dataDir: string;
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export interface StartOptions {
  store: 'sqlite' | 'postgres';
  dataDir?: string;
  port?: number;
  pgSchema?: string;
  env?: Record<string, string>;
}

export async function startInCse(o: StartOptions): Promise<InCseProcess> {
  const port = o.port ?? (await freePort());
  const dataDir = o.dataDir ?? mkdtempSync(join(tmpdir(), 'm2msec-in-cse-'));
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    M2MSEC_HTTP_PORT: String(port),
    M2MSEC_HTTP_HOST: '127.0.0.1',
    M2MSEC_DATA_DIR: dataDir,
    M2MSEC_LOG_LEVEL: 'warn',
    M2MSEC_CONFIG: '',
    ...(o.store === 'postgres'
      ? { M2MSEC_STORE: 'postgres', M2MSEC_PG_URL: pgUrl, M2MSEC_PG_SCHEMA: o.pgSchema ?? 'in_cse_test' }
      : {}),
    ...o.env,
  };
  const child: ChildProcess = spawn(process.execPath, [main], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`in-cse exited with ${child.exitCode}: ${out}`);
    try {
      const r = await fetch(`${url}/cse-in`, {
        headers: { 'X-M2M-Origin': 'CAdmin', 'X-M2M-RI': 'probe', 'X-M2M-RVI': '3' },
      });
      if (r.status === 200) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) throw new Error(`in-cse did not start: ${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    port,
    dataDir,
    output: () => out,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null) child.kill(signal);
      return exited;
    },
  };
}

export interface M2MResponse {
  status: number;
  rsc: number;
  headers: Headers;
  body: any;
}

let rqiCounter = 0;

/** One oneM2M request over HTTP (TS-0009 headers). */
export async function m2m(
  base: string,
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  path: string,
  o: { from?: string; ty?: number; body?: unknown; rawBody?: string; headers?: Record<string, string> } = {},
): Promise<M2MResponse> {
  const headers: Record<string, string> = {
    'X-M2M-RI': `rq${++rqiCounter}`,
    'X-M2M-RVI': '3',
    Accept: 'application/json',
    ...o.headers,
  };
  if (o.from !== undefined) headers['X-M2M-Origin'] = o.from;
  if (o.body !== undefined || o.rawBody !== undefined)
    headers['Content-Type'] = `application/json${o.ty ? `;ty=${o.ty}` : ''}`;
  const r = await fetch(base + path, {
    method,
    headers,
    body: o.rawBody ?? (o.body !== undefined ? JSON.stringify(o.body) : undefined),
  });
  const text = await r.text();
  return {
    status: r.status,
    rsc: Number(r.headers.get('X-M2M-RSC')),
    headers: r.headers,
    body: text ? JSON.parse(text) : undefined,
  };
}
