// The decision explainer on the IN-CSE's admin surface (issue 11 item 3): GET /.well-known/m2msec/explain
// answers "would X be allowed op Y on Z now, and by which rule" from the CSE's own decision point, for an
// administrator proven by its association only. Attack first: a non-administrator association and the
// plain listener (with the administrator's originator in From) get 403 and learn nothing about policies.
// The explanation agrees with what the CSE enforces on the AE's own association.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { type Agent, request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HttpRequestSender } from '@m2msec/binding-http';
import type { RequestPrimitive } from '@m2msec/protocol';
import { createSaefAgent } from '@m2msec/saef';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../binding-mqtt/test/helpers/broker.js';
import { type CseNode, createCseNode, inCseDefaults } from '../src/index.js';

const dirs: string[] = [];
const tmp = (p: string) => {
  const d = mkdtempSync(join(tmpdir(), p));
  dirs.push(d);
  return d;
};
const adminKey = randomBytes(32);
const readerKey = randomBytes(32);
let node: CseNode;
let adminAgent: Agent;
let readerAgent: Agent;
let admin: HttpRequestSender;
let reader: HttpRequestSender;
let acpRi = '';
let rqi = 0;
const req = (r: Omit<RequestPrimitive, 'rqi' | 'rvi'>): RequestPrimitive => ({ ...r, rqi: `x${++rqi}`, rvi: '3' });

/** GET on the admin surface over an association (`agent`) or the plain listener (no agent). */
function adminGet(path: string, agent?: Agent): Promise<{ status: number; body: any }> {
  if (!agent)
    return fetch(`${node.listeners.http!.url}${path}`, {
      headers: { 'X-M2M-Origin': 'CAdmin', 'X-M2M-RI': 'p', 'X-M2M-RVI': '3' },
    }).then(async (r) => ({ status: r.status, body: await r.json() }));
  const url = new URL(path, node.listeners.psk!.url);
  return new Promise((resolve, reject) => {
    const r = request(
      url,
      { agent, method: 'GET', headers: { 'X-M2M-Origin': 'CAdmin', 'X-M2M-RI': 'a', 'X-M2M-RVI': '3' } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c) => {
          text += c;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
      },
    );
    r.on('error', reject);
    r.end();
  });
}

/** `null`: the plain listener. */
const explain = (q: Record<string, string>, agent: Agent | null = adminAgent) =>
  adminGet(`/.well-known/m2msec/explain?${new URLSearchParams(q)}`, agent ?? undefined);

beforeAll(async () => {
  const d = structuredClone(inCseDefaults);
  node = await createCseNode(
    {
      ...d,
      cse: { ...d.cse, expirySweepMs: 0 },
      dataDir: tmp('m2msec-explain-data-'),
      http: { ...d.http, port: await freePort() },
      registration: {
        appRules: [
          ...d.registration.appRules,
          { name: 'reader', applicableCredIDs: ['12-kpsa-reader'], allowedAppIDs: ['Nreader'], allowedAEs: ['*'] },
        ],
      },
      security: {
        ...d.security,
        keyFile: join(tmp('m2msec-explain-kek-'), 'kek'),
        derivedKey: false,
        psk: { host: '127.0.0.1', port: await freePort(), tls13: false },
        administrators: [{ name: 'psk-admin', originator: 'CAdmin', credentialId: '12-kpsa-admin' }],
      },
      log: { level: 'silent' },
    },
    { log: pino({ level: 'silent' }) },
  );
  for (const [id, key] of [
    ['kpsa-admin', adminKey],
    ['kpsa-reader', readerKey],
  ] as const)
    await node.security.credentials.addKey('Kpsa', { credentialId: id, owner: 'test', suid: 12 }, key);
  node.security.kpsa.refresh();
  await node.start();
  adminAgent = createSaefAgent({ kind: 'psk', identity: 'kpsa-admin', key: adminKey });
  readerAgent = createSaefAgent({ kind: 'psk', identity: 'kpsa-reader', key: readerKey });
  admin = new HttpRequestSender({ timeoutMs: 20_000, httpsAgent: adminAgent });
  reader = new HttpRequestSender({ timeoutMs: 20_000, httpsAgent: readerAgent });
  const url = node.listeners.psk!.url;
  const ae = await reader.send(
    url,
    req({ op: 1, to: 'cse-in', fr: 'Creader', ty: 2, pc: { 'm2m:ae': { api: 'Nreader', rr: false, srv: ['3'] } } }),
  );
  expect(ae.rsc).toBe(2001);
  const acp = await admin.send(
    url,
    req({
      op: 1,
      to: 'cse-in',
      fr: 'CAdmin',
      ty: 1,
      pc: {
        'm2m:acp': {
          rn: 'acpShared',
          pv: {
            acr: [
              { acor: ['Cnobody'], acop: 63 },
              { acor: ['Creader'], acop: 2 },
            ],
          },
          pvs: { acr: [{ acor: ['CAdmin'], acop: 63 }] },
        },
      },
    }),
  );
  expect(acp.rsc).toBe(2001);
  acpRi = (acp.pc as { 'm2m:acp': { ri: string } })['m2m:acp'].ri;
  const cnt = await admin.send(
    url,
    req({ op: 1, to: 'cse-in', fr: 'CAdmin', ty: 3, pc: { 'm2m:cnt': { rn: 'shared', acpi: [acpRi] } } }),
  );
  expect(cnt.rsc).toBe(2001);
}, 120_000);

afterAll(async () => {
  admin?.close();
  reader?.close();
  adminAgent?.destroy();
  readerAgent?.destroy();
  await node?.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('GET /.well-known/m2msec/explain', () => {
  it('names the permitting rule for an administrator, and the CSE enforces exactly that', async () => {
    const r = await explain({ from: 'Creader', op: 'retrieve', to: 'cse-in/shared' });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({
      permit: true,
      rule: `${acpRi}.pv.acr[1]`,
      reason: `permitted by ${acpRi}.pv.acr[1]`,
      target: 'cse-in/shared',
      governing: 'cse-in/shared',
      policies: [acpRi],
    });
    expect(r.body.rules.map((v: { permits: boolean }) => v.permits)).toEqual([false, true]);
    const got = await reader.send(node.listeners.psk!.url, req({ op: 2, to: 'cse-in/shared', fr: 'Creader' }));
    expect(got.rsc).toBe(2000);
  });

  it('a denial names no rule and says why each rule does not permit; the CSE refuses it (4103)', async () => {
    const r = await explain({ from: 'Creader', op: 'update', to: 'cse-in/shared' });
    expect(r.status).toBe(200);
    expect(r.body.permit).toBe(false);
    expect(r.body.rule).toBeUndefined();
    expect(r.body.rules[1]).toEqual({
      rule: `${acpRi}.pv.acr[1]`,
      permits: false,
      reason: 'acop 2 does not include operation 4',
    });
    expect(r.body.reason).toContain(`${acpRi}.pv.acr[0]: acor does not name /id-in/Creader`);
    const upd = await reader.send(
      node.listeners.psk!.url,
      req({ op: 3, to: 'cse-in/shared', fr: 'Creader', pc: { 'm2m:cnt': { lbl: ['x'] } } }),
    );
    expect(upd.rsc).toBe(4103);
  });

  it('a request to the policy itself is explained by its selfPrivileges (pvs)', async () => {
    const r = await explain({ from: 'Creader', op: 'update', to: `cse-in/acpShared` });
    expect(r.body).toMatchObject({ permit: false, policies: [acpRi] });
    expect(r.body.rules[0].rule).toBe(`${acpRi}.pvs.acr[0]`);
  });

  it('bad questions get precise refusals: an unknown op (400), a target that does not exist (404)', async () => {
    const bad = await explain({ from: 'Creader', op: 'steal', to: 'cse-in/shared' });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/op must be one of/);
    const missing = await explain({ from: 'Creader', op: 'retrieve', to: 'cse-in/nothing' });
    expect(missing.status).toBe(404);
    expect((await explain({ from: '', op: 'retrieve', to: 'cse-in/shared' })).status).toBe(400);
  });

  it('is refused to a non-administrator association and on the plain listener (403), revealing no policy', async () => {
    const other = await explain({ from: 'Creader', op: 'retrieve', to: 'cse-in/shared' }, readerAgent);
    expect(other.status).toBe(403);
    expect(JSON.stringify(other.body)).not.toContain(acpRi);
    const plain = await explain({ from: 'Creader', op: 'retrieve', to: 'cse-in/shared' }, null);
    expect(plain.status).toBe(403);
    expect(JSON.stringify(plain.body)).not.toContain(acpRi);
  });
});
