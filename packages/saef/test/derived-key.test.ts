// DerivedKey mode: K_RS-C = P_SHA256(K_RS-TA, identity) cross-checked with OpenSSL's TLS1-PRF, the
// trust anchor, the resource server's persistent window (default 64, configurable >= 32), revocations,
// crash recovery, a real TLS-PSK handshake by openssl s_client with the derived key, and the window
// moving only after proof of possession (the lock-out attack: wrong key, sequence number 2^64-1).
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore } from '@m2msec/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  acceptDerivedKeySession,
  DerivedKeyResourceServer,
  DerivedKeyTrustAnchor,
  deriveClientKey,
  formatDerivedKeyIdentity,
  parseDerivedKeyIdentity,
  pskServerOptions,
} from '../src/index.js';
import { echoServer, opensslPsk } from './tls-peers.js';

const kRsTa = randomBytes(32);
const dir = mkdtempSync(join(tmpdir(), 'm2msec-dk-'));
const dbFile = join(dir, 'dk.db');
const journalPath = join(dir, 'dk.journal');

async function openRs(o: { file?: string; journal?: string; windowSize?: number } = {}) {
  const store = await openSqliteStore({ file: o.file ?? dbFile });
  const rs = await DerivedKeyResourceServer.open({
    trustAnchors: [{ taId: 'ta1', key: kRsTa }],
    state: store.collection('dk-windows'),
    journalPath: o.journal ?? journalPath,
    ...(o.windowSize !== undefined ? { windowSize: o.windowSize } : {}),
  });
  return { store, rs };
}

/** A completed handshake: check in the pskCallback, accept once the Finished messages proved the key. */
function admit(rs: DerivedKeyResourceServer, identity: string) {
  const c = rs.check(identity);
  if (!c.ok) return c;
  const a = rs.accept(identity);
  return a.ok ? c : a;
}

describe('DerivedKey identity and key', () => {
  it('K_RS-C equals OpenSSL TLS1-PRF (SHA-256) with the identity as seed and no label', () => {
    const identity = 'DK.ta1.Cabc.42.00112233445566778899aabbccddeeff';
    const ours = deriveClientKey(kRsTa, identity).toString('hex');
    const r = spawnSync(
      'openssl',
      [
        'kdf',
        '-keylen',
        '32',
        '-kdfopt',
        'digest:SHA256',
        '-kdfopt',
        `hexsecret:${kRsTa.toString('hex')}`,
        '-kdfopt',
        `seed:${identity}`,
        'TLS1-PRF',
      ],
      { encoding: 'utf8' },
    );
    expect(r.status, r.stderr).toBe(0);
    expect(ours).toBe(r.stdout.trim().replace(/:/g, '').toLowerCase());
  });

  it('parses and refuses malformed identities', () => {
    const p = parseDerivedKeyIdentity('DK.ta1.Cabc.18446744073709551615.0011223344556677');
    expect(p).toMatchObject({ taId: 'ta1', clientId: 'Cabc', sequenceNumber: 2n ** 64n - 1n });
    for (const bad of [
      'DK.ta1.Cabc.18446744073709551616.0011223344556677',
      'DK.ta1.Cabc.01.0011223344556677',
      'DK.ta1.C.abc.1.0011223344556677',
      'DK.ta1.Cabc.1.00112233',
      'DK.ta1.Cabc.1.00112233445566ZZ',
      'XK.ta1.Cabc.1.0011223344556677',
    ]) {
      expect(() => parseDerivedKeyIdentity(bad), bad).toThrow(/DerivedKey identity/);
    }
    expect(formatDerivedKeyIdentity({ taId: 't', clientId: 'c', sequenceNumber: 7n, random: 'ab'.repeat(8) })).toBe(
      'DK.t.c.7.abababababababab',
    );
  });
});

describe('trust anchor and resource server', () => {
  let ta: DerivedKeyTrustAnchor;
  let taStore: Awaited<ReturnType<typeof openSqliteStore>>;
  beforeAll(async () => {
    taStore = await openSqliteStore({ file: join(dir, 'ta.db') });
    ta = await DerivedKeyTrustAnchor.open({
      taId: 'ta1',
      key: kRsTa,
      state: taStore.collection('dk-ta'),
      authorize: (c) => c !== 'Cbanned',
    });
  });
  afterAll(async () => taStore?.close());

  it('issues increasing sequence numbers to authorized clients only, across a TA restart', async () => {
    const a = await ta.issue('Cabc');
    const b = await ta.issue('Cabc');
    expect(b.sequenceNumber).toBe(a.sequenceNumber + 1n);
    expect(a.key).toEqual(deriveClientKey(kRsTa, a.identity));
    await expect(ta.issue('Cbanned')).rejects.toThrow(/not authorized/);
    const again = await DerivedKeyTrustAnchor.open({
      taId: 'ta1',
      key: kRsTa,
      state: taStore.collection('dk-ta'),
      authorize: () => true,
    });
    expect((await again.issue('Cabc')).sequenceNumber).toBe(b.sequenceNumber + 1n);
  });

  it('admits each number once, refuses left of the window and revoked numbers, survives restarts', async () => {
    let { store, rs } = await openRs();
    const grants = [];
    for (let i = 0; i < 70; i++) grants.push(await ta.issue('Cabc'));
    const first = grants[0]!;
    const r1 = admit(rs, grants[5]!.identity);
    expect(r1.ok && r1.key.equals(grants[5]!.key)).toBe(true);
    expect(admit(rs, grants[5]!.identity)).toMatchObject({ ok: false, code: 'DK_REPLAY' });
    expect(admit(rs, grants[69]!.identity).ok).toBe(true);
    // grants[0] is now 69 behind the highest: left of the 64-entry window.
    expect(admit(rs, first.identity)).toMatchObject({ ok: false, code: 'DK_REPLAY' });
    expect(admit(rs, grants[20]!.identity).ok).toBe(true); // inside the window, unseen
    const revocation = ta.revoke([grants[30]!.sequenceNumber]);
    expect(await rs.applyRevocation(revocation)).toEqual([grants[30]!.sequenceNumber]);
    expect(admit(rs, grants[30]!.identity)).toMatchObject({ ok: false, code: 'DK_REVOKED' });
    await expect(rs.applyRevocation({ ...revocation, sequenceNumbers: ['31'] })).rejects.toThrow(/MAC/);
    expect(admit(rs, 'DK.other.Cabc.1.0011223344556677')).toMatchObject({
      ok: false,
      code: 'DK_UNKNOWN_TRUST_ANCHOR',
    });
    await rs.close();
    await store.close();

    ({ store, rs } = await openRs());
    expect(admit(rs, grants[20]!.identity)).toMatchObject({ ok: false, code: 'DK_REPLAY' });
    expect(admit(rs, grants[69]!.identity)).toMatchObject({ ok: false, code: 'DK_REPLAY' });
    expect(admit(rs, grants[30]!.identity)).toMatchObject({ ok: false, code: 'DK_REVOKED' });
    expect(admit(rs, grants[40]!.identity).ok).toBe(true);
    await rs.close();
    await store.close();
  });

  it('replays the write-ahead journal after a crash that lost the snapshot', async () => {
    const g = await ta.issue('Cabc');
    // As if the process died after the fdatasync'd append, before the store snapshot.
    appendFileSync(journalPath, `A ta1 ${g.sequenceNumber}\nA ta1 12`); // torn last line ignored
    const { store, rs } = await openRs();
    expect(admit(rs, g.identity)).toMatchObject({ ok: false, code: 'DK_REPLAY' });
    expect(readFileSync(journalPath, 'utf8')).toBe('');
    await rs.close();
    await store.close();
  });

  it('openssl s_client completes the handshake with the derived key; the replay is refused', async () => {
    const { store, rs } = await openRs();
    const srv = await echoServer(
      pskServerOptions({
        resolve: (id) => {
          const r = rs.check(id);
          return r.ok ? r.key : undefined;
        },
      }),
      (s) => (acceptDerivedKeySession(rs, s)?.ok ? 'ok dk' : 'refused'),
    );
    const g = await ta.issue('Cabc');
    const ok = await opensslPsk(srv.port, g.identity, g.key.toString('hex'), '', ['-tls1_2']);
    expect(ok.stdout).toContain('ok dk');
    const replay = await opensslPsk(srv.port, g.identity, g.key.toString('hex'), '', ['-tls1_2']);
    expect(replay.stdout).not.toContain('ok dk');
    const forged = await ta.issue('Cabc');
    const wrongKey = await opensslPsk(srv.port, forged.identity, randomBytes(32).toString('hex'), '', ['-tls1_2']);
    expect(wrongKey.stdout).not.toContain('ok dk');
    srv.server.close();
    await rs.close();
    await store.close();
  });
});

describe('write-ahead journal group commit', () => {
  it('an append is readable at once (a process crash keeps it) and durableAfter covers every append', async () => {
    const { AcceptJournal } = await import('../src/derived-key/journal.js');
    const path = join(mkdtempSync(join(tmpdir(), 'dk-journal-')), 'accept.journal');
    const { journal } = AcceptJournal.open(path);
    const ordinals = [1n, 2n, 3n].map((n) => journal.append({ taId: 'ta1', sequenceNumber: n }));
    expect(ordinals).toEqual([1, 2, 3]);
    // before any sync, a second opener (a restarted process) already reads all three
    expect(AcceptJournal.open(path).entries.map((e) => e.sequenceNumber)).toEqual([1n, 2n, 3n]);
    await Promise.all([journal.durableAfter(1), journal.durableAfter(3)]);
    const more = journal.append({ taId: 'ta1', sequenceNumber: 4n });
    await journal.durableAfter(more);
    journal.truncate();
    await journal.durableAfter(more); // already covered by the snapshot
    expect(readFileSync(path, 'utf8')).toBe('');
    journal.close();
  });
});
