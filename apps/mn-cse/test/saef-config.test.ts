// The MN-CSE process offers AEs the IN-CSE's SAEFs by configuration (issue 11): a `security.psk` key (the
// IN-CSE's schema) opens the TLS-PSK listener; the Kpsa of `coap.psk` is in the node's credential store,
// so an AE with that key reaches the MN-CSE over TLS-PSK (TS-0003 8.2.2.1), registers, and its AE-ID is
// bound to the credential: the plain listener claiming it gets 4106. A wrong key gets no session.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HttpRequestSender } from '@m2msec/binding-http';
import { createSaefAgent } from '@m2msec/saef';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const main = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'main.js');

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

const aeKey = randomBytes(32);
let child: ChildProcess | undefined;
let dir: string;
let plainUrl: string;
let pskUrl: string;
let out = '';
let n = 0;
const req = (r: Record<string, unknown>) => ({ ...r, rqi: `s${++n}`, rvi: '3' }) as never;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'm2msec-mn-saef-'));
  const kekDir = mkdtempSync(join(tmpdir(), 'm2msec-mn-saef-kek-'));
  const registrarKey = join(dir, 'registrar.hex');
  writeFileSync(registrarKey, randomBytes(32).toString('hex'), { mode: 0o600 });
  const aeKeyFile = join(dir, 'ae.hex');
  writeFileSync(aeKeyFile, aeKey.toString('hex'), { mode: 0o600 });
  const httpPort = await freePort();
  const pskPort = await freePort();
  plainUrl = `http://127.0.0.1:${httpPort}`;
  pskUrl = `https://127.0.0.1:${pskPort}`;
  const file = join(dir, 'config.json');
  writeFileSync(
    file,
    JSON.stringify({
      http: { host: '127.0.0.1', port: httpPort, maxBodyBytes: 1048576 },
      dataDir: join(dir, 'data'),
      // A registrar that is not there: registration retries in the background, the listeners serve.
      registrar: {
        url: `https://127.0.0.1:${await freePort()}`,
        retryMs: 60_000,
        psk: { identity: 'mn', keyFile: registrarKey },
      },
      registration: {
        appRules: [{ name: 'kpsa', applicableCredIDs: ['12-kpsa-ae'], allowedAppIDs: ['Nnode'], allowedAEs: ['*'] }],
      },
      coap: { host: '127.0.0.1', port: await freePort(), psk: [{ identity: 'kpsa-ae', keyFile: aeKeyFile }] },
      security: {
        keyFile: join(kekDir, 'kek'),
        psk: { host: '127.0.0.1', port: pskPort, tls13: false },
      },
    }),
  );
  child = spawn(process.execPath, [main], { env: { ...process.env, M2MSEC_CONFIG: file, M2MSEC_LOG_LEVEL: 'info' } });
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  // The machine may be loaded: a generous bound on the start.
  const deadline = Date.now() + 90_000;
  while (!/MN-CSE ready/.test(out) && Date.now() < deadline && child.exitCode === null)
    await new Promise((r) => setTimeout(r, 100));
  if (!/MN-CSE ready/.test(out)) throw new Error(`mn-cse did not start: ${out}`);
  dirs.push(kekDir);
}, 120_000);

const dirs: string[] = [];
afterAll(() => {
  child?.kill('SIGTERM');
  for (const d of [dir, ...dirs]) if (d) rmSync(d, { recursive: true, force: true });
});

describe('MN-CSE process: security.psk by configuration', () => {
  it('an AE with its Kpsa registers over TLS-PSK; its AE-ID is bound (4106 from the plain listener)', async () => {
    const agent = createSaefAgent({ kind: 'psk', identity: 'kpsa-ae', key: aeKey });
    const psk = new HttpRequestSender({ timeoutMs: 20_000, httpsAgent: agent });
    const plain = new HttpRequestSender({ timeoutMs: 20_000 });
    try {
      const created = await psk.send(
        pskUrl,
        req({ op: 1, to: 'cse-mn', fr: 'Cpsk', ty: 2, pc: { 'm2m:ae': { api: 'Nnode', rr: false, srv: ['3'] } } }),
      );
      expect(created.rsc, JSON.stringify(created.pc)).toBe(2001);
      expect((await psk.send(pskUrl, req({ op: 2, to: 'cse-mn/Cpsk', fr: 'Cpsk' }))).rsc).toBe(2000);
      expect((await plain.send(plainUrl, req({ op: 2, to: 'cse-mn/Cpsk', fr: 'Cpsk' }))).rsc).toBe(4106);
    } finally {
      psk.close();
      plain.close();
      agent.destroy();
    }
  }, 60_000);

  it('a wrong key gets no session', async () => {
    const agent = createSaefAgent({ kind: 'psk', identity: 'kpsa-ae', key: randomBytes(32) });
    const psk = new HttpRequestSender({ timeoutMs: 20_000, httpsAgent: agent });
    try {
      await expect(psk.send(pskUrl, req({ op: 2, to: 'cse-mn', fr: 'Cpsk' }))).rejects.toThrow();
    } finally {
      psk.close();
      agent.destroy();
    }
  }, 60_000);
});
