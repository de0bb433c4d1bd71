// AE -> MN-CSE -> IN-CSE in one process, two real Cse instances: the MN-CSE relays the outer NOTIFY
// carrying the ESPrim Object (TS-0004 7.6.2) and cannot read it; the IN-CSE's handler is wrapped with
// withESPrimTarget, so an acaf rule (TS-0001 9.6.2.x accessControlAuthenticationFlag) accepts the relayed
// AE only with ESPrim (TS-0003 7.2.2, 7.1.2). A hook on the MN -> IN hop alters bytes in flight.
import { randomBytes } from 'node:crypto';
import { Cse } from '@m2msec/cse';
import type { RequestHandler, RequestPrimitive, RequestSender, ResponsePrimitive } from '@m2msec/protocol';
import { openSqliteStore } from '@m2msec/store';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  ESPrimClient,
  ESPrimOriginator,
  ESPrimReceiver,
  esprimAuthenticated,
  PairwiseESPrimKeys,
  securityInfoOf,
  withESPrimTarget,
} from '../src/index.js';
import { alterChar } from './helpers.js';

const handlers = new Map<string, RequestHandler>();
/** What the relay hop saw, and an optional alteration it applies (a compromised transit CSE). */
const relay: { seen: RequestPrimitive[]; alter?: (req: RequestPrimitive) => RequestPrimitive } = { seen: [] };

class InProcessSender implements RequestSender {
  readonly schemes = ['inproc'] as const;
  constructor(private readonly fromCseId: string) {}
  async send(poa: string, req: RequestPrimitive): Promise<ResponsePrimitive> {
    const target = handlers.get(`/${new URL(poa).host}`)!;
    let out = structuredClone(req);
    if (this.fromCseId === '/id-mn') {
      relay.seen.push(structuredClone(out));
      if (relay.alter) out = relay.alter(out);
    }
    return target(out, { binding: 'internal', association: { boundIds: [this.fromCseId], framework: 'test-saef' } });
  }
}

let n = 0;
const rq = (r: Partial<RequestPrimitive> & { op: number; to: string }) => ({ rqi: `q${++n}`, rvi: '3', ...r });
async function open(cseId: string, base: string, cst: 1 | 2, extra: object = {}) {
  return Cse.open({
    endToEndAuthenticated: esprimAuthenticated,
    store: await openSqliteStore({ file: ':memory:' }),
    appRules: [{ name: 'open', allowedAppIDs: ['*'], allowedAEs: ['*'] }],
    retargetSenders: [new InProcessSender(cseId)],
    config: { cseId, cseBaseName: base, cseType: cst, expirySweepMs: 0, poa: [`inproc://${cseId.slice(1)}`], ...extra },
  });
}

const AE = '/id-mn/Cae1';
const KID = 'pairwise-ae1-in@mef.example.com';
const key = randomBytes(32);
let mn: Cse;
let client: ESPrimClient;
const verified: string[] = [];

beforeAll(async () => {
  const inCse = await open('/id-in', 'cse-in', 1);
  mn = await open('/id-mn', 'cse-mn', 2, { registrarCseId: '/id-in' });
  const keys = new PairwiseESPrimKeys();
  keys.add({ kid: KID, key, identity: AE });
  const receiver = new ESPrimReceiver({ keys });
  const bases = new Set(['/id-in/cse-in', '/id-in', 'cse-in']);
  handlers.set(
    '/id-in',
    withESPrimTarget(inCse.handle, {
      receiver,
      isCseBase: (to) => bases.has(to),
      onVerified: (_inner, id) => verified.push(id),
    }),
  );
  handlers.set('/id-mn', mn.handle);
  // TS-0001 10.2.2.7: the MN-CSE registers to the IN-CSE.
  const csr = (csi: string, cb: string, cst: number) => ({
    'm2m:csr': { csi, cb, cst, rr: true, poa: [`inproc://${csi.slice(1)}`], srv: ['3'] },
  });
  const up = await new InProcessSender('/id-mn').send(
    'inproc://id-in',
    rq({ op: 1, to: '/id-in/cse-in', fr: '/id-mn', ty: 16, pc: csr('/id-mn', '/id-mn/cse-mn', 2) }),
  );
  expect(up.rsc, up.dbg).toBe(2001);
  await mn.recordRegistrar({ csi: '/id-in', cb: '/id-in/cse-in', cst: 1, poa: ['inproc://id-in'] });
  relay.seen.length = 0;
  // At the IN-CSE: a container whose only rule for the MN's AE demands an authenticated originator.
  const acp = {
    'm2m:acp': {
      rn: 'acpAuth',
      pv: { acr: [{ acor: [AE], acop: 3, acaf: true }] },
      pvs: { acr: [{ acor: ['CAdmin'], acop: 63 }] },
    },
  };
  const plain = { binding: 'http' as const, peerAddress: '127.0.0.1' };
  expect((await inCse.handle(rq({ op: 1, to: 'cse-in', fr: 'CAdmin', ty: 1, pc: acp }), plain)).rsc).toBe(2001);
  const cnt = await inCse.handle(
    rq({ op: 1, to: 'cse-in', fr: 'CAdmin', ty: 3, pc: { 'm2m:cnt': { rn: 'data', acpi: ['cse-in/acpAuth'] } } }),
    plain,
  );
  expect(cnt.rsc, cnt.dbg).toBe(2001);
  const ae = await mn.handle(
    rq({ op: 1, to: 'cse-mn', fr: 'Cae1', ty: 2, pc: { 'm2m:ae': { api: 'Nt', rr: false, srv: ['3'] } } }),
    plain,
  );
  expect(ae.rsc, ae.dbg).toBe(2001);
  // The AE sends to its registrar, the MN-CSE, over its Mca (no association in this in-process test).
  client = new ESPrimClient({
    originator: new ESPrimOriginator({ kid: KID, pairwiseESPrimKey: key }),
    send: (req) => mn.handle(req, plain),
    from: 'Cae1',
    targetCseBase: '/id-in/cse-in',
  });
});

describe('ESPrim through a relaying MN-CSE', () => {
  it('without ESPrim the relayed AE is not authenticated: the acaf rule does not match (4103)', async () => {
    const plain = { binding: 'http' as const, peerAddress: '127.0.0.1' };
    const r = await mn.handle(rq({ op: 2, to: '/id-in/cse-in/data', fr: 'Cae1' }), plain);
    expect(r.rsc, r.dbg).toBe(4103);
  });

  it('with ESPrim the same RETRIEVE succeeds; the relay saw only ciphertext', async () => {
    relay.seen.length = 0;
    const r = await client.request({ op: 2, to: '/id-in/cse-in/data', fr: AE, rqi: 'inner-1', rvi: '3' });
    expect(r.rsc, r.dbg).toBe(2000);
    expect((r.pc as any)['m2m:cnt'].rn).toBe('data');
    expect(verified).toContain(AE);
    const carried = JSON.stringify(relay.seen);
    expect(relay.seen.every((p) => p.op === 5)).toBe(true);
    expect(carried).not.toContain('cse-in/data');
    expect(carried).not.toContain('inner-1');
  });

  it('CREATE through the relay, then the relay cannot read the response content either', async () => {
    const c = await client.request({
      op: 1,
      to: '/id-in/cse-in/data',
      fr: AE,
      rqi: 'inner-2',
      rvi: '3',
      ty: 4,
      pc: { 'm2m:cin': { con: 'secret-reading-42' } },
    });
    expect(c.rsc, c.dbg).toBe(2001);
    expect(JSON.stringify(relay.seen)).not.toContain('secret-reading-42');
  });

  it('a byte altered by the relay is detected at the target: 4115, and nothing is created', async () => {
    relay.alter = (req) => {
      const seci = securityInfoOf(req.pc)!;
      if (seci.sit !== 5) return req;
      const parts = seci.epo!.split('.');
      parts[3] = alterChar(parts[3]!, 10);
      return { ...req, pc: { 'm2m:seci': { ...seci, epo: parts.join('.') } } };
    };
    try {
      const r = await client.request({
        op: 1,
        to: '/id-in/cse-in/data',
        fr: AE,
        rqi: 'inner-3',
        rvi: '3',
        ty: 4,
        pc: { 'm2m:cin': { con: 'x' } },
      });
      expect(r.rsc).toBe(4115);
    } finally {
      relay.alter = undefined;
    }
    const list = await client.request({ op: 2, to: '/id-in/cse-in/data', fr: AE, rqi: 'inner-4', rvi: '3' });
    expect((list.pc as any)['m2m:cnt'].cni).toBe(1);
  });

  it('a replay by the relay is refused (5210)', async () => {
    const last = relay.seen.filter((p) => securityInfoOf(p.pc)?.sit === 5).at(-1)!;
    const r = await handlers.get('/id-in')!(structuredClone(last), {
      binding: 'internal',
      association: { boundIds: ['/id-mn'], framework: 'test-saef' },
    });
    expect(r.rsc).toBe(5210);
  });

  it('an inner From other than the key identity is refused with 4116 (TS-0003 7.2.2)', async () => {
    const r = await client.request({ op: 2, to: '/id-in/cse-in/data', fr: '/id-mn/Cother', rqi: 'inner-5', rvi: '3' });
    expect(r.rsc).toBe(4116);
  });
});
