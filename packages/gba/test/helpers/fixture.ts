// A BSF on a real HTTP listener: SQLite store in memory, software SE with a key-file KEK.
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { httpEdge } from '@m2msec/binding-http';
import { createKeyFile, openSoftwareSecureEnvironment, type SecureEnvironment } from '@m2msec/secure-environment';
import { openStore, type Store } from '@m2msec/store';
import { type Bsf, type BsfOptions, createBsf, ubRoutes } from '../../src/index.js';

export interface BsfFixture {
  readonly bsf: Bsf;
  readonly store: Store;
  readonly se: SecureEnvironment;
  readonly ubUrl: string;
  readonly server: http.Server;
  readonly clock: { now: number };
  /** Every row of every gba collection, for "nothing changed" assertions. */
  snapshot(): Promise<string>;
  close(): Promise<void>;
}

export async function startBsf(overrides: Partial<BsfOptions> = {}): Promise<BsfFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'gba-test-'));
  const keyFile = join(dir, 'kek');
  createKeyFile(keyFile);
  const se = await openSoftwareSecureEnvironment({ path: join(dir, 'keystore'), keyFile });
  const kek = await se.generateKey({ algorithm: 'AES', length: 32, usages: ['encrypt'], id: 'gba-kek' });
  const store = await openStore({ kind: 'sqlite', file: ':memory:' });
  const clock = { now: Date.now() };
  const bsf = createBsf({ store, se, kek, bsfDomain: 'bsf.mef.example.com', now: () => clock.now, ...overrides });
  const server = http.createServer(httpEdge(ubRoutes(bsf), { prefix: '/bsf' }));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const names = ['subscribers', 'challenges', 'bootstraps', 'btid-by-impi', 'nonce-by-impi'];
  return {
    bsf,
    store,
    se,
    server,
    clock,
    ubUrl: `http://127.0.0.1:${port}/bsf`,
    async snapshot() {
      const all: Record<string, unknown> = {};
      for (const n of names) all[n] = await store.collection(`gba.${n}`).list();
      return JSON.stringify(all);
    },
    async close() {
      server.closeAllConnections();
      server.close();
      await store.close();
      await se.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
