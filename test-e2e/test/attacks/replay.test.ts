// Attack family: replay of DerivedKey credentials (TS-0003 8.2.2.1 with the DerivedKey identities of the
// Remote Security Provisioning Frameworks; anti-replay window as RFC 6347 4.1.2.6). A trust anchor issues
// (identity, key) pairs with increasing sequence numbers; the IN-CSE process accepts each identity once.
// An eavesdropper who learnt a used pair replays it: the same handshake again, a pair left of the window,
// and the same pair after the IN-CSE restarted (the window is persistent). Replays of the other
// frameworks are pinned where their processes are: ESPrim (5210, test-e2e/test/esprim-process.test.ts),
// DSKPP pass 3 on two MEF processes (apps/mef/test/dskpp-scale-out.test.ts). PSK handshakes themselves
// are not replayable (fresh (EC)DHE / randoms), so there is no such case.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DerivedKeyTrustAnchor, OneM2MClient } from '@m2msec/saef';
import { openSqliteStore, type Store } from '@m2msec/store';
import { freePort, type InCseProcess, startInCseProcess } from '@m2msec/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inCseCredentials, inCseMain } from '../../src/nodes/in-cse.js';

const kRsTa = randomBytes(32);
const dataDir = mkdtempSync(join(tmpdir(), 'm2msec-replay-'));
const keyDir = mkdtempSync(join(tmpdir(), 'm2msec-replay-keys-'));
const configPath = join(keyDir, 'config.json');
let pskPort: number;
let cse: InCseProcess;
let taStore: Store;
let ta: DerivedKeyTrustAnchor;
const env = { M2MSEC_CONFIG: configPath, M2MSEC_KEK_FILE: join(keyDir, 'keystore.key') };

const start = () => startInCseProcess({ main: inCseMain, store: 'sqlite', dataDir, env });

/** One request over a fresh TLS-PSK association with a DerivedKey identity: its rsc, or 0 if the handshake failed. */
async function session(identity: string, key: Uint8Array): Promise<number> {
  const c = new OneM2MClient({
    baseUrl: `https://127.0.0.1:${pskPort}`,
    framework: { kind: 'psk', identity, key: Buffer.from(key) },
  });
  try {
    return (await c.request({ op: 2, to: 'cse-in', from: 'CAdmin' })).rsc;
  } catch {
    return 0;
  } finally {
    c.close();
  }
}

beforeAll(async () => {
  pskPort = await freePort();
  writeFileSync(
    configPath,
    JSON.stringify({
      profile: 'secure',
      cse: { cseId: '/id-in', cseBaseName: 'cse-in', spId: 'm2msec.org', adminOriginators: ['CAdmin'] },
      security: {
        mca: 'required',
        administrators: [{ name: 'dk-admin', originator: 'CAdmin', credentialId: '12-DK.ta1.Cdk1' }],
        psk: { host: '127.0.0.1', port: pskPort, tls13: true },
      },
      log: { level: 'warn' },
    }),
    { mode: 0o600 },
  );
  const taKey = join(keyDir, 'ta1.hex');
  writeFileSync(taKey, kRsTa.toString('hex'), { mode: 0o600 });
  const r = spawnSync(process.execPath, [inCseCredentials, 'add-dk-ta', '--ta-id', 'ta1', '--key-file', taKey], {
    encoding: 'utf8',
    env: { ...process.env, ...env, M2MSEC_DATA_DIR: dataDir },
  });
  expect(r.status, r.stderr).toBe(0);
  taStore = await openSqliteStore({ file: join(mkdtempSync(join(tmpdir(), 'm2msec-replay-ta-')), 'ta.db') });
  ta = await DerivedKeyTrustAnchor.open({
    taId: 'ta1',
    key: kRsTa,
    state: taStore.collection('ta'),
    authorize: () => true,
  });
  cse = await start();
});
afterAll(async () => {
  await cse?.stop();
  await taStore?.close();
});

describe('DerivedKey sequence replay', () => {
  const grants: Array<{ identity: string; key: Uint8Array }> = [];

  beforeAll(async () => {
    for (let i = 0; i < 80; i++) grants.push(await ta.issue('Cdk1'));
  });

  it('a fresh identity is accepted once; the same identity again is refused at the handshake', async () => {
    expect(await session(grants[5]!.identity, grants[5]!.key)).toBe(2000);
    expect(await session(grants[5]!.identity, grants[5]!.key)).toBe(0);
  });

  it('an older unused identity inside the window is accepted (reordering), once', async () => {
    expect(await session(grants[2]!.identity, grants[2]!.key)).toBe(2000);
    expect(await session(grants[2]!.identity, grants[2]!.key)).toBe(0);
  });

  it('after the window moved on, an identity left of it is refused though never used', async () => {
    expect(await session(grants[79]!.identity, grants[79]!.key)).toBe(2000);
    expect(await session(grants[1]!.identity, grants[1]!.key)).toBe(0);
  });

  it('a right key under a tampered sequence number is refused (the key is bound to the identity)', async () => {
    const tampered = grants[78]!.identity.replace(/(\d+)(?!.*\d)/, (n) => String(Number(n) + 100));
    expect(tampered).not.toBe(grants[78]!.identity);
    expect(await session(tampered, grants[78]!.key)).toBe(0);
  });

  it('after a restart the used identities stay refused; a fresh one is accepted', async () => {
    await cse.stop();
    cse = await start();
    expect(await session(grants[79]!.identity, grants[79]!.key)).toBe(0);
    expect(await session(grants[5]!.identity, grants[5]!.key)).toBe(0);
    expect(await session(grants[78]!.identity, grants[78]!.key)).toBe(2000);
  });
});
