// store { kind: 'memory' } (docs/storage.md): the node runs on the in-memory store, selected by
// configuration or M2MSEC_STORE, and keeps nothing across a restart (a SQLite node on the same data
// directory keeps its <AE>, which is how this test knows the memory store was the one used).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HttpRequestSender } from '@m2msec/binding-http';
import type { RequestPrimitive } from '@m2msec/protocol';
import { freePort } from '@m2msec/test-support';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, type CseNodeConfig, createCseNode, inCseDefaults, loadConfig } from '../src/index.js';

const dirs: string[] = [];
const tmp = (p: string) => {
  const d = mkdtempSync(join(tmpdir(), p));
  dirs.push(d);
  return d;
};
const http = new HttpRequestSender({ timeoutMs: 10_000 });
let rqi = 0;
const req = (r: Omit<RequestPrimitive, 'rqi' | 'rvi'>): RequestPrimitive => ({ ...r, rqi: `m${++rqi}`, rvi: '3' });

afterAll(() => {
  http.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function config(store: CseNodeConfig['store'], dataDir: string, keyFile: string): Promise<CseNodeConfig> {
  const d = structuredClone(inCseDefaults);
  return {
    ...d,
    store,
    cse: { ...d.cse, expirySweepMs: 0 },
    dataDir,
    http: { ...d.http, port: await freePort() },
    security: { ...d.security, keyFile, derivedKey: false },
    log: { level: 'silent' },
  };
}

/** Starts a node, creates an <AE> if asked, returns what RETRIEVE of that <AE> answers. */
async function run(c: CseNodeConfig, create: boolean): Promise<number> {
  const node = await createCseNode(c, { log: pino({ level: 'silent' }) });
  try {
    const { url } = (await node.start()).http!;
    if (create) {
      const ae = await http.send(
        url,
        req({
          op: 1,
          to: 'cse-in',
          fr: 'Cmem',
          ty: 2,
          pc: { 'm2m:ae': { rn: 'mem', api: 'Nmem', rr: false, srv: ['3'] } },
        }),
      );
      expect(ae.rsc).toBe(2001);
    }
    return (await http.send(url, req({ op: 2, to: 'cse-in/mem', fr: 'CAdmin' }))).rsc;
  } finally {
    await node.stop();
  }
}

describe("createCseNode with store { kind: 'memory' }", () => {
  it('serves resources from memory and has none after a restart; SQLite on the same directory keeps them', async () => {
    const keyFile = join(tmp('m2msec-mem-kek-'), 'kek');
    const memDir = tmp('m2msec-mem-data-');
    expect(await run(await config({ kind: 'memory' }, memDir, keyFile), true)).toBe(2000);
    expect(await run(await config({ kind: 'memory' }, memDir, keyFile), false)).toBe(4004);
    const sqliteDir = tmp('m2msec-sqlite-data-');
    expect(await run(await config({ kind: 'sqlite' }, sqliteDir, keyFile), true)).toBe(2000);
    expect(await run(await config({ kind: 'sqlite' }, sqliteDir, keyFile), false)).toBe(2000);
  }, 120_000);

  it('is chosen by M2MSEC_STORE=memory; an unknown M2MSEC_STORE is a ConfigError naming the choices', () => {
    expect(loadConfig({ M2MSEC_STORE: 'memory' }).store).toEqual({ kind: 'memory' });
    expect(loadConfig({}).store).toEqual({ kind: 'sqlite' });
    expect(() => loadConfig({ M2MSEC_STORE: 'mysql' })).toThrow(ConfigError);
    expect(() => loadConfig({ M2MSEC_STORE: 'mysql' })).toThrow(/'sqlite', 'memory' or 'postgres'/);
  });
});
