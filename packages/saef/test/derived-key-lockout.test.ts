// Issue 12 item 3, the DerivedKey lock-out: the replay window moves only after proof of possession.
// An attacker who knows only the TA_id (it is in clear in TLS 1.2 identities) offers a made-up identity
// with sequence number 2^64-1 and a random key, then the legitimate client's next identity with a
// random key; both handshakes fail at Finished and must leave the window untouched, so the legitimate
// client still connects, also after the resource server restarts. openssl s_client is the attacker,
// Node's TLS client the legitimate client.
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { openSqliteStore, type Store } from '@m2msec/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  acceptDerivedKeySession,
  DerivedKeyResourceServer,
  DerivedKeyTrustAnchor,
  derivedKeyDurabilityGate,
  pskClientOptions,
  pskServerOptions,
} from '../src/index.js';
import { echoServer, opensslPsk } from './tls-peers.js';

const kRsTa = randomBytes(32);
const MAX = 2n ** 64n - 1n;

let dir: string;
let taStore: Store;
let ta: DerivedKeyTrustAnchor;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'm2msec-dk-lockout-'));
  taStore = await openSqliteStore({ file: join(dir, 'ta.db') });
  ta = await DerivedKeyTrustAnchor.open({
    taId: 'ta1',
    key: kRsTa,
    state: taStore.collection('ta'),
    authorize: () => true,
  });
});
afterAll(async () => taStore?.close());

async function openRs(name: string, windowSize?: number) {
  const store = await openSqliteStore({ file: join(dir, `${name}.db`) });
  const rs = await DerivedKeyResourceServer.open({
    trustAnchors: [{ taId: 'ta1', key: kRsTa }],
    state: store.collection('dk-windows'),
    journalPath: join(dir, `${name}.journal`),
    snapshotDelayMs: 10,
    ...(windowSize !== undefined ? { windowSize } : {}),
  });
  return { store, rs };
}

/** A resource server on a TLS-PSK listener: check in the pskCallback, accept on completion. */
async function listen(rs: DerivedKeyResourceServer) {
  return echoServer(
    pskServerOptions({
      resolve: (id) => {
        const r = rs.check(id);
        return r.ok ? r.key : undefined;
      },
      tls13: false,
    }),
    (s) => (acceptDerivedKeySession(rs, s)?.ok ? 'ok dk' : 'refused'),
  );
}

/** The legitimate client (Node TLS): the server's greeting, or 'failed' when the handshake fails. */
function legitimate(port: number, identity: string, key: Uint8Array): Promise<string> {
  return new Promise((resolve) => {
    let got = '';
    const s = connect({ host: '127.0.0.1', port, ...pskClientOptions({ identity, key }) });
    s.on('data', (d) => (got += d));
    s.on('end', () => resolve(got.trim() || 'failed'));
    s.on('error', () => resolve(got.trim() || 'failed'));
  });
}

const attackerIdentity = (seq: bigint) => `DK.ta1.Cmallory.${seq}.${randomBytes(16).toString('hex')}`;

async function attack(port: number, identity: string) {
  const r = await opensslPsk(port, identity, randomBytes(32).toString('hex'), '', ['-tls1_2']);
  expect(r.stdout).not.toContain('ok dk');
  expect(r.stderr).toMatch(/alert|error/i);
}

describe('DerivedKey lock-out attack (wrong key, sequence number 2^64-1)', () => {
  it('wrong-key handshakes move no window: the legitimate client connects, also after a restart', async () => {
    let { store, rs } = await openRs('lockout');
    let srv = await listen(rs);
    const g1 = await ta.issue('Cdev');
    await attack(srv.port, attackerIdentity(MAX)); // would push the window to the top of the number space
    await attack(srv.port, g1.identity); // the client's next identity, wrong key: must not burn it
    expect(await legitimate(srv.port, g1.identity, g1.key)).toBe('ok dk');
    // The completed identity is spent: a replay (even with the right key) is refused.
    expect(await legitimate(srv.port, g1.identity, g1.key)).toBe('failed');

    // Restart: windows come back from the store snapshot and the journal.
    srv.server.close();
    await rs.close();
    await store.close();
    ({ store, rs } = await openRs('lockout'));
    srv = await listen(rs);
    expect(await legitimate(srv.port, g1.identity, g1.key)).toBe('failed'); // still spent after restart
    const g2 = await ta.issue('Cdev');
    await attack(srv.port, attackerIdentity(MAX));
    await attack(srv.port, g2.identity);
    expect(await legitimate(srv.port, g2.identity, g2.key)).toBe('ok dk');
    srv.server.close();
    await rs.close();
    await store.close();
  });

  it('check() changes no state; accept() marks the number; two concurrent handshakes: only one accepted', async () => {
    const { store, rs } = await openRs('concurrent');
    const forged = attackerIdentity(MAX);
    expect(rs.check(forged)).toMatchObject({ ok: true }); // shape and TA are fine; the key is unproven
    const g = await ta.issue('Cdev');
    // Both handshakes pass the callback before either completes ...
    expect(rs.check(g.identity).ok).toBe(true);
    expect(rs.check(g.identity).ok).toBe(true);
    // ... the first completion wins, the second is refused (its session must be torn down).
    expect(rs.accept(g.identity)).toMatchObject({ ok: true });
    expect(rs.accept(g.identity)).toMatchObject({ ok: false, code: 'DK_REPLAY' });
    expect(rs.check(g.identity)).toMatchObject({ ok: false, code: 'DK_REPLAY' });
    // The forged identity was never accepted, so the window did not jump to 2^64-1.
    const next = await ta.issue('Cdev');
    expect(rs.check(next.identity).ok).toBe(true);
    await rs.close();
    await store.close();
  });

  it('a session whose number was never accepted is not served (the durability gate fails closed)', async () => {
    const { store, rs } = await openRs('gate');
    const served: string[] = [];
    const handler = derivedKeyDurabilityGate(async (req) => {
      served.push(req.rqi);
      return { rsc: 2000, rqi: req.rqi, rvi: '3' } as never;
    }, rs);
    const g = await ta.issue('Cdev');
    const req = (rqi: string) => ({ op: 2, to: 'cse-in', fr: 'Cdev', rqi, rvi: '3' }) as never;
    const tls = { binding: 'http' as const, tls: { pskIdentity: g.identity } };
    await expect(handler(req('skipped-accept'), tls)).rejects.toThrow(/not accepted at handshake completion/);
    expect(rs.accept(g.identity).ok).toBe(true);
    await handler(req('accepted'), tls);
    expect(served).toEqual(['accepted']);
    await rs.close();
    await store.close();
  });
});

describe('window size (default 64, at least 32)', () => {
  it('refuses a window smaller than 32 with a clear error', async () => {
    await expect(openRs('small', 16)).rejects.toThrow(/DerivedKey windowSize must be an integer from 32 to 1024/);
  });

  it('a 32-entry window refuses 32 behind the highest; growing it to 128 re-admits nothing', async () => {
    let { store, rs } = await openRs('sized', 32);
    expect(rs.windowSize).toBe(32);
    const grants = [];
    for (let i = 0; i < 40; i++) grants.push(await ta.issue('Cdev'));
    expect(rs.accept(grants[39]!.identity).ok).toBe(true);
    expect(rs.check(grants[8]!.identity).ok).toBe(true); // 31 behind: oldest slot
    expect(rs.check(grants[7]!.identity)).toMatchObject({ ok: false, code: 'DK_REPLAY' }); // 32 behind
    await rs.close();
    await store.close();
    ({ store, rs } = await openRs('sized', 128));
    expect(rs.windowSize).toBe(128);
    expect(rs.check(grants[7]!.identity)).toMatchObject({ ok: false, code: 'DK_REPLAY' }); // still refused
    expect(rs.check(grants[8]!.identity).ok).toBe(true);
    await rs.close();
    await store.close();
  });
});
