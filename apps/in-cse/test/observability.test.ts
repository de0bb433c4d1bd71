// Issue 19 items 2 and 3 against the IN-CSE process: the access and security lines of an allowed request,
// a 4103, a 4106 and a replayed DerivedKey handshake, read from its log; no provisioned key in the log, in
// hex or base64; the association lifecycle lines; the operations listener's /metrics scraped for the
// counters, /healthz and /readyz answering.
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DerivedKeyTrustAnchor } from '@m2msec/saef';
import { openSqliteStore, type Store } from '@m2msec/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from './harness.js';
import {
  credentialsCli,
  opensslPsk,
  parseRaw,
  prepareSecureInCse,
  rawRequest,
  type SecureInCse,
} from './saef-setup.js';

const aeId = 'kpsa-observed@mef.m2msec.org';
const aeKey = randomBytes(32);
const kRsTa = randomBytes(32);
const adminKey = randomBytes(32);
const AE = 'Cobserved';

let s: SecureInCse;
let adminPort: number;
let taStore: Store;
let ta: DerivedKeyTrustAnchor;

beforeAll(async () => {
  adminPort = await freePort();
  const prepared = await prepareSecureInCse(
    { administrators: [{ name: 'admin', originator: 'CAdmin', credentialId: '12-kpsa-admin@mef.m2msec.org' }] },
    {
      registration: {
        appRules: [
          { name: 'observed', applicableCredIDs: [`12-${aeId}`], allowedAppIDs: ['Nobserved'], allowedAEs: [AE] },
        ],
      },
      opsListener: { port: adminPort },
      log: { level: 'info', format: 'json' },
    },
  );
  const cli = (args: string[], input?: string) => credentialsCli(prepared.configPath, prepared.dataDir, args, input);
  cli(['add-psk', '--id', aeId, '--key-file', '-'], aeKey.toString('hex'));
  cli(['add-psk', '--id', 'kpsa-admin@mef.m2msec.org', '--key-file', '-'], adminKey.toString('hex'));
  cli(['add-dk-ta', '--ta-id', 'ta1', '--key-file', '-'], kRsTa.toString('hex'));
  s = await prepared.start({ M2MSEC_LOG_LEVEL: 'info' });
  taStore = await openSqliteStore({ file: join(mkdtempSync(join(tmpdir(), 'm2msec-ta-')), 'ta.db') });
  ta = await DerivedKeyTrustAnchor.open({
    taId: 'ta1',
    key: kRsTa,
    state: taStore.collection('ta'),
    authorize: () => true,
  });
}, 180_000);

afterAll(async () => {
  await s?.cse.stop();
  await taStore?.close();
});

const asAe = async (method: string, path: string, from: string, o: Parameters<typeof rawRequest>[3] = {}) => {
  const raw = rawRequest(method, path, from, o);
  const rqi = /X-M2M-RI: (\S+)/.exec(raw)![1]!;
  const r = await opensslPsk(s.pskPort, aeId, aeKey.toString('hex'), raw, ['-tls1_2']);
  return { rqi, ...parseRaw(r.stdout) };
};

/** The JSON log lines of the IN-CSE so far. */
function lines(): Record<string, any>[] {
  return s.cse
    .output()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l));
}

async function lineWhere(pred: (l: Record<string, any>) => boolean, what: string): Promise<Record<string, any>> {
  const end = Date.now() + 10_000;
  for (;;) {
    const found = lines().find(pred);
    if (found) return found;
    if (Date.now() > end) throw new Error(`no log line ${what} in:\n${s.cse.output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('IN-CSE access and security lines', () => {
  it('an allowed request: one access line with the originator, the proven identity and the association', async () => {
    const reg = await asAe('POST', '/cse-in', AE, {
      ty: 2,
      body: { 'm2m:ae': { rn: 'observed', api: 'Nobserved', rr: false, srv: ['3'] } },
    });
    expect(reg.rsc, JSON.stringify(reg.body)).toBe(2001);
    const get = await asAe('GET', '/cse-in/observed', AE);
    expect(get.rsc).toBe(2000);
    const access = await lineWhere((l) => l.kind === 'access' && l.rqi === get.rqi, `for ${get.rqi}`);
    expect(access).toMatchObject({
      app: 'in-cse',
      channel: 'https-psk',
      binding: 'http',
      op: 2,
      to: 'cse-in/observed',
      originator: AE,
      identity: `/id-in/${AE}`,
      association: 'psk',
      rsc: 2000,
    });
    expect(typeof access.ms).toBe('number');
    expect(lines().filter((l) => l.rqi === get.rqi)).toHaveLength(1); // one line, no security line
  });

  it('a 4103: an access line and a security line with the decision reason', async () => {
    const r = await asAe('GET', '/cse-in', AE); // the CSEBase's default policy grants an AE nothing
    expect(r.rsc).toBe(4103);
    const sec = await lineWhere((l) => l.kind === 'security' && l.rqi === r.rqi, `security for ${r.rqi}`);
    expect(sec).toMatchObject({
      event: 'refused',
      reason: 'originator-has-no-privilege',
      rsc: 4103,
      originator: AE,
      identity: `/id-in/${AE}`,
      association: 'psk',
    });
    expect(sec.detail).toMatch(/no privilege/);
    expect(lines().find((l) => l.kind === 'access' && l.rqi === r.rqi)).toMatchObject({ rsc: 4103 });
  });

  it('a 4106: the administrator originator over an AE association is refused and logged', async () => {
    const r = await asAe('GET', '/cse-in', 'CAdmin');
    expect(r.rsc).toBe(4106);
    const sec = await lineWhere((l) => l.kind === 'security' && l.rqi === r.rqi, `security for ${r.rqi}`);
    expect(sec).toMatchObject({ event: 'refused', reason: 'originator-not-authenticated', originator: 'CAdmin' });
    expect(sec.identity).toBe(`/id-in/${AE}`);
    expect(sec.detail).toMatch(/reserved for an administrator/);
  });

  it('a replayed DerivedKey identity: a security line naming the replay', async () => {
    const g = await ta.issue('Cdk');
    const first = await opensslPsk(s.pskPort, g.identity, g.key.toString('hex'), rawRequest('GET', '/cse-in', 'Cdk'), [
      '-tls1_2',
    ]);
    // Served: the handshake completed; the request is 4106 (Cdk is bound to no AE), a second refusal line.
    expect(parseRaw(first.stdout).rsc, first.stdout).toBe(4106);
    const again = await opensslPsk(s.pskPort, g.identity, g.key.toString('hex'), rawRequest('GET', '/cse-in', 'Cdk'), [
      '-tls1_2',
    ]);
    expect(parseRaw(again.stdout).status).toBe(0); // handshake refused
    const sec = await lineWhere(
      (l) => l.kind === 'security' && l.event === 'replay' && l.identity === g.identity,
      'for the replay',
    );
    expect(sec).toMatchObject({
      framework: 'derived-key',
      reason: 'replay',
      channel: 'https-psk',
      msg: 'PSK handshake refused',
    });
    expect(sec.detail).toMatch(/refused: duplicate/);
  });

  it('an association: established and closed lifecycle lines with framework and identity, no key', async () => {
    const r = await asAe('GET', '/cse-in/observed', AE);
    expect(r.rsc).toBe(2000);
    const credentialId = `12-${aeId}`;
    const established = await lineWhere(
      (l) => l.kind === 'lifecycle' && l.event === 'association-established' && l.credentialId === credentialId,
      'for the association',
    );
    expect(established).toMatchObject({
      framework: 'psk',
      pskIdentity: aeId,
      peer: '127.0.0.1',
      msg: 'security association established',
    });
    // openssl s_client closes once answered: the association's end is a line too.
    const closed = await lineWhere(
      (l) => l.kind === 'lifecycle' && l.event === 'association-closed' && l.credentialId === credentialId,
      'for the closed association',
    );
    expect(closed).toMatchObject({ framework: 'psk', pskIdentity: aeId, reason: 'connection closed' });
    // The DerivedKey association of the replay test: established once, its replay refused before any.
    expect(lines().filter((l) => l.event === 'association-established' && l.framework === 'derived-key')).toHaveLength(
      1,
    );
    for (const l of lines().filter((x) => x.kind === 'lifecycle' && String(x.event).startsWith('association-'))) {
      expect(Object.keys(l).sort()).toEqual(
        expect.arrayContaining(['credentialId', 'event', 'framework', 'kind', 'msg', 'provenIds']),
      );
      expect(JSON.stringify(l)).not.toMatch(/key"?:|[0-9a-f]{64}/i);
    }
  });

  it('no provisioned key reaches the log, in hex or base64', () => {
    const out = s.cse.output();
    for (const k of [aeKey, kRsTa, adminKey]) {
      expect(out).not.toContain(k.toString('hex'));
      expect(out.toLowerCase()).not.toContain(k.toString('hex').toLowerCase());
      expect(out).not.toContain(k.toString('base64'));
      expect(out).not.toContain(k.toString('base64url'));
    }
  });
});

describe('IN-CSE operations listener', () => {
  it('/metrics counts the requests, refusals, replays and handshakes seen above', async () => {
    // 4106 twice: CAdmin over the AE's association, and Cdk over its unbound DerivedKey association.
    const r = await fetch(`http://127.0.0.1:${adminPort}/metrics`);
    expect(r.status).toBe(200);
    const text = await r.text();
    const value = (re: RegExp) => Number(re.exec(text)?.[1] ?? 0);
    expect(value(/m2msec_requests_total\{op="2",rsc="2000",binding="http",app="in-cse"\} (\d+)/)).toBeGreaterThan(0);
    expect(value(/m2msec_requests_total\{op="2",rsc="4103",binding="http",app="in-cse"\} (\d+)/)).toBe(1);
    expect(value(/m2msec_refusals_total\{reason="originator-has-no-privilege",app="in-cse"\} (\d+)/)).toBe(1);
    expect(value(/m2msec_refusals_total\{reason="originator-not-authenticated",app="in-cse"\} (\d+)/)).toBe(2);
    expect(value(/m2msec_refusals_total\{reason="replay",app="in-cse"\} (\d+)/)).toBe(1);
    expect(value(/m2msec_replay_rejections_total\{framework="derived-key",app="in-cse"\} (\d+)/)).toBe(1);
    expect(value(/m2msec_handshakes_total\{framework="psk",outcome="completed",app="in-cse"\} (\d+)/)).toBeGreaterThan(
      3,
    );
    expect(value(/m2msec_handshakes_total\{framework="derived-key",outcome="completed",app="in-cse"\} (\d+)/)).toBe(1);
    expect(text).toMatch(
      /m2msec_request_duration_seconds_bucket\{le="[\d.]+",app="in-cse",op="2",binding="http"\} \d+/,
    );
    expect(text).toMatch(/m2msec_store_operation_duration_seconds_count\{app="in-cse",operation="get"\} [1-9]/);
  });

  it('/healthz is live and /readyz checks the store and the secure environment', async () => {
    expect((await fetch(`http://127.0.0.1:${adminPort}/healthz`)).status).toBe(200);
    const ready = await fetch(`http://127.0.0.1:${adminPort}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({
      status: 'ready',
      checks: { store: { ok: true }, secureEnvironment: { ok: true } },
    });
  });
});
