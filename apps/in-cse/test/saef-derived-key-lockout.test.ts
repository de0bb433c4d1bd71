// Issue 12 item 3 against the IN-CSE process: the DerivedKey replay window moves only after proof of
// possession. openssl s_client is the attacker: it knows only the TA_id (in clear in TLS 1.2
// identities), offers DK.<TA>.<C>.<2^64-1>.<random> with a random key, then the legitimate client's next
// identity with a random key. The legitimate client (Node's TLS, the SAEF client SDK) must still
// register and connect, also after the IN-CSE restarts; a completed identity stays spent; of two
// concurrent handshakes with the same fresh number only one is accepted, the other is torn down before
// it is served (a TCP proxy holds both between the server's pskCallback and handshake completion).
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { DerivedKeyTrustAnchor, OneM2MClient, pskClientOptions } from '@m2msec/saef';
import { openSqliteStore, type Store } from '@m2msec/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInCse } from './harness.js';
import {
  credentialsCli,
  opensslPsk,
  parseRaw,
  prepareSecureInCse,
  rawRequest,
  type SecureInCse,
  writeConfig,
} from './saef-setup.js';
import { startHoldProxy } from './tls-hold-proxy.js';

const kRsTa = randomBytes(32);
const MAX = 2n ** 64n - 1n;
const AE = 'Cdklegit';

let s: SecureInCse;
let taStore: Store;
let ta: DerivedKeyTrustAnchor;

async function prepare(security: Record<string, unknown>) {
  const prepared = await prepareSecureInCse(security, {
    registration: {
      appRules: [
        { name: 'dk-clients', applicableCredIDs: ['12-DK.ta1.Clegit'], allowedAppIDs: ['Ndklegit'], allowedAEs: [AE] },
      ],
    },
  });
  const cli = (args: string[], input?: string) => credentialsCli(prepared.configPath, prepared.dataDir, args, input);
  cli(['add-dk-ta', '--ta-id', 'ta1', '--key-file', '-'], kRsTa.toString('hex'));
  cli(['bind', '--credential', '12-DK.ta1.Clegit', '--ae', AE]);
  return prepared;
}

beforeAll(async () => {
  s = await (await prepare({})).start();
  taStore = await openSqliteStore({ file: join(mkdtempSync(join(tmpdir(), 'm2msec-ta-')), 'ta.db') });
  ta = await DerivedKeyTrustAnchor.open({
    taId: 'ta1',
    key: kRsTa,
    state: taStore.collection('ta'),
    authorize: () => true,
  });
});

afterAll(async () => {
  await s?.cse.stop();
  await taStore?.close();
});

/** The attacker: openssl s_client, TLS 1.2 (or 1.3), a random key. The handshake must fail. */
async function attack(identity: string, version = '-tls1_2'): Promise<void> {
  const r = await opensslPsk(s.pskPort, identity, randomBytes(32).toString('hex'), rawRequest('GET', '/cse-in', AE), [
    version,
  ]);
  expect(parseRaw(r.stdout).status, r.stdout).toBe(0);
}
const forged = () => `DK.ta1.Cmallory.${MAX}.${randomBytes(16).toString('hex')}`;

/** The legitimate client over the SAEF client SDK (Node TLS 1.2) with the TA's grant. */
async function legitimate(grant: { identity: string; key: Buffer }, r: Parameters<OneM2MClient['request']>[0]) {
  const c = new OneM2MClient({
    baseUrl: `https://127.0.0.1:${s.pskPort}`,
    framework: { kind: 'derived-key', identity: grant.identity, key: grant.key },
  });
  try {
    return await c.request(r);
  } finally {
    c.close();
  }
}

/** A replay of a completed identity with its right key: openssl s_client; the handshake must fail. */
async function replay(grant: { identity: string; key: Buffer }): Promise<void> {
  const r = await opensslPsk(s.pskPort, grant.identity, grant.key.toString('hex'), rawRequest('GET', '/cse-in', AE), [
    '-tls1_2',
  ]);
  expect(parseRaw(r.stdout).status, r.stdout).toBe(0);
}

describe('DerivedKey lock-out attack against the IN-CSE', () => {
  it('wrong-key handshakes (2^64-1, then the next number) lock nobody out, also across a restart; replays stay refused', async () => {
    const g1 = await ta.issue('Clegit');
    await attack(forged());
    await attack(forged(), '-tls1_3'); // TLS 1.3: the callback runs for the binder check, before Finished
    await attack(g1.identity); // the legitimate client's next identity, a wrong key
    await attack(g1.identity, '-tls1_3');
    const reg = await legitimate(g1, {
      op: 1,
      to: 'cse-in',
      from: AE,
      ty: 2,
      pc: { 'm2m:ae': { rn: 'dk-legit', api: 'Ndklegit', rr: false, srv: ['3'] } },
    });
    expect(reg.rsc, JSON.stringify(reg.pc)).toBe(2001);
    expect(reg.pc['m2m:ae'].aei).toBe(AE);
    await replay(g1);

    await s.restart();
    await replay(g1); // still spent after the restart
    const g2 = await ta.issue('Clegit');
    await attack(forged());
    await attack(g2.identity);
    const get = await legitimate(g2, { op: 2, to: 'cse-in/dk-legit', from: AE });
    expect(get.rsc, JSON.stringify(get.pc)).toBe(2000);
    expect(get.pc['m2m:ae'].aei).toBe(AE);
    await replay(g2);
  });

  it('two concurrent handshakes with the same fresh number: one is served, the other is torn down unserved', async () => {
    const ensureAe = await legitimate(await ta.issue('Clegit'), {
      op: 1,
      to: 'cse-in',
      from: AE,
      ty: 2,
      pc: { 'm2m:ae': { rn: 'dk-legit', api: 'Ndklegit', rr: false, srv: ['3'] } },
    });
    expect([2001, 4117]).toContain(ensureAe.rsc); // registered here, or already (4117) by the test before
    const g = await ta.issue('Clegit');
    const proxy = await startHoldProxy(s.pskPort);
    /** A Node TLS 1.2 client through the proxy: creates container `rn` once its handshake completes. */
    const client = (rn: string) =>
      new Promise<{ secure: boolean; response: string }>((resolve) => {
        let secure = false;
        let response = '';
        const sock = connect({ host: '127.0.0.1', port: proxy.port, ...pskClientOptions(g) }, () => {
          secure = true;
          sock.write(rawRequest('POST', '/cse-in/dk-legit', AE, { ty: 3, body: { 'm2m:cnt': { rn } } }));
        });
        sock.on('data', (d) => (response += d));
        sock.on('close', () => resolve({ secure, response }));
        sock.on('error', () => undefined);
      });
    const first = client('from-first');
    const firstHeld = await proxy.held(1);
    const second = client('from-second');
    const secondHeld = await proxy.held(2);
    // Both ClientKeyExchange records (with the identity) reached the server: both passed the check.
    await new Promise((r) => setTimeout(r, 300));
    firstHeld.release();
    const a = await first;
    expect(parseRaw(a.response).rsc, a.response).toBe(2001);
    secondHeld.release();
    const b = await second;
    expect(parseRaw(b.response).status, b.response).toBe(0); // no HTTP response at all
    await proxy.close();
    // Nothing the second session sent was executed.
    const check = await legitimate(await ta.issue('Clegit'), { op: 2, to: 'cse-in/dk-legit/from-second', from: AE });
    expect(check.rsc).toBe(4004);
    expect(s.cse.output()).toMatch(/sequence number \d+ of TA ta1 refused: duplicate/);
  });
});

describe('DerivedKey window size in the IN-CSE configuration (security.derivedKey.windowSize)', () => {
  it('refuses a window smaller than 32 with a clear configuration error', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'm2msec-in-cse-dkw-'));
    const configPath = writeConfig(dataDir, { security: { derivedKey: { windowSize: 16 } } });
    await expect(startInCse({ store: 'sqlite', dataDir, env: { M2MSEC_CONFIG: configPath } })).rejects.toThrow(
      /exited with 1: in-cse: invalid configuration: \/security\/derivedKey\/windowSize 16: the DerivedKey anti-replay window must span 32 to 1024/,
    );
  });

  it('a configured 32-entry window refuses a number 32 behind the highest and admits one 31 behind', async () => {
    const small = await (await prepare({ derivedKey: { windowSize: 32 } })).start();
    try {
      const grants = [];
      for (let i = 0; i < 40; i++) grants.push(await ta.issue('Clegit'));
      const get = async (g: { identity: string; key: Buffer }) =>
        parseRaw(
          (
            await opensslPsk(small.pskPort, g.identity, g.key.toString('hex'), rawRequest('GET', '/cse-in', AE), [
              '-tls1_2',
            ])
          ).stdout,
        ).status;
      expect(await get(grants[39]!)).toBeGreaterThan(0);
      expect(await get(grants[7]!)).toBe(0); // 32 behind: left of a 32-entry window
      expect(await get(grants[8]!)).toBeGreaterThan(0); // 31 behind: the oldest slot
    } finally {
      await small.cse.stop();
    }
  });
});
