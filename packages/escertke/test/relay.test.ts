// ESCertKE through a relaying MN-CSE (TS-0004 7.5.1.2.12), then ESPrim with the established key: two real
// Cse instances in one process. The IN-CSE's handler is wrapped with withESCertKETarget (Messages 1 - 4
// over NOTIFY sit 6) and withESPrimTarget; the key lands in the ESPrim key store bound to the identity the
// AE's certificate proved, so the AE satisfies an acaf rule at the IN-CSE (TS-0003 7.2.2, 8.4.2 A, 8.7).
import { Cse } from '@m2msec/cse';
import {
  ESPrimClient,
  ESPrimOriginator,
  ESPrimReceiver,
  esprimAuthenticated,
  PairwiseESPrimKeys,
  withESPrimTarget,
} from '@m2msec/esprim';
import type { RequestHandler, RequestPrimitive, RequestSender, ResponsePrimitive } from '@m2msec/protocol';
import { openSqliteStore } from '@m2msec/store';
import { TestCa } from '@m2msec/test-support';
import { beforeAll, describe, expect, it } from 'vitest';
import { establishE2EKey, withESCertKETarget } from '../src/index.js';

const handlers = new Map<string, RequestHandler>();
const seen: RequestPrimitive[] = [];
class InProcessSender implements RequestSender {
  readonly schemes = ['inproc'] as const;
  constructor(private readonly fromCseId: string) {}
  send(poa: string, req: RequestPrimitive): Promise<ResponsePrimitive> {
    if (this.fromCseId === '/id-mn') seen.push(structuredClone(req));
    return handlers.get(`/${new URL(poa).host}`)!(structuredClone(req), {
      binding: 'internal',
      association: { boundIds: [this.fromCseId], framework: 'test-saef' },
    });
  }
}
let n = 0;
const rq = (r: Partial<RequestPrimitive> & { op: number; to: string }) => ({ rqi: `q${++n}`, rvi: '3', ...r });
const plain = { binding: 'http' as const, peerAddress: '127.0.0.1' };
async function open(cseId: string, base: string, cst: 1 | 2, extra: object = {}) {
  return Cse.open({
    endToEndAuthenticated: esprimAuthenticated,
    store: await openSqliteStore({ file: ':memory:' }),
    appRules: [{ name: 'open', allowedAppIDs: ['*'], allowedAEs: ['*'] }],
    retargetSenders: [new InProcessSender(cseId)],
    config: { cseId, cseBaseName: base, cseType: cst, expirySweepMs: 0, poa: [`inproc://${cseId.slice(1)}`], ...extra },
  });
}

const ctx = { spId: 'm2msec.org', inCseId: '/id-in' };
let ca: TestCa;
let mn: Cse;
const keys = new PairwiseESPrimKeys();

beforeAll(async () => {
  ca = new TestCa('escertke-relay');
  const inCert = ca.issue({ san: 'DNS:id-in.m2msec.org', usage: 'server' });
  const inCse = await open('/id-in', 'cse-in', 1);
  mn = await open('/id-mn', 'cse-mn', 2, { registrarCseId: '/id-in' });
  const bases = new Set(['/id-in/cse-in', '/id-in', 'cse-in']);
  const isCseBase = (to: string) => bases.has(to);
  const esprim = withESPrimTarget(inCse.handle, { receiver: new ESPrimReceiver({ keys }), isCseBase });
  handlers.set(
    '/id-in',
    withESCertKETarget(esprim, {
      terminating: {
        ...inCert,
        ca: ca.cert,
        identityContext: ctx,
        isAuthorizedInitiator: (id) => id.startsWith('/id-mn/'),
      },
      isCseBase,
      onEstablished: (e) => keys.add({ kid: e.kid, key: e.pairwiseE2EKey, identity: e.peer.id }),
    }),
  );
  handlers.set('/id-mn', mn.handle);
  const csr = {
    'm2m:csr': { csi: '/id-mn', cb: '/id-mn/cse-mn', cst: 2, rr: true, poa: ['inproc://id-mn'], srv: ['3'] },
  };
  const up = await new InProcessSender('/id-mn').send(
    'inproc://id-in',
    rq({ op: 1, to: '/id-in/cse-in', fr: '/id-mn', ty: 16, pc: csr }),
  );
  expect(up.rsc, up.dbg).toBe(2001);
  await mn.recordRegistrar({ csi: '/id-in', cb: '/id-in/cse-in', cst: 1, poa: ['inproc://id-in'] });
  const acp = {
    'm2m:acp': {
      rn: 'acpAuth',
      pv: { acr: [{ acor: ['/id-mn/Cae1'], acop: 2, acaf: true }] },
      pvs: { acr: [{ acor: ['CAdmin'], acop: 63 }] },
    },
  };
  expect((await inCse.handle(rq({ op: 1, to: 'cse-in', fr: 'CAdmin', ty: 1, pc: acp }), plain)).rsc).toBe(2001);
  expect(
    (
      await inCse.handle(
        rq({ op: 1, to: 'cse-in', fr: 'CAdmin', ty: 3, pc: { 'm2m:cnt': { rn: 'data', acpi: ['cse-in/acpAuth'] } } }),
        plain,
      )
    ).rsc,
  ).toBe(2001);
  for (const ae of ['Cae1', 'Cae2']) {
    const r = await mn.handle(
      rq({ op: 1, to: 'cse-mn', fr: ae, ty: 2, pc: { 'm2m:ae': { api: 'Nt', rr: false, srv: ['3'] } } }),
      plain,
    );
    expect(r.rsc, r.dbg).toBe(2001);
  }
}, 60_000);

const send = (req: RequestPrimitive) => mn.handle(req, plain);

describe('ESCertKE then ESPrim through a relaying MN-CSE', () => {
  it('establishes a key the relay never sees, and the AE then satisfies acaf with ESPrim', async () => {
    const aeCert = ca.issue({ san: 'URI:m2m://m2msec.org/id-mn/Cae1', usage: 'client' });
    seen.length = 0;
    const e = await establishE2EKey({
      endPoint: { ...aeCert, ca: ca.cert, identityContext: ctx, terminatingId: '/id-in' },
      send,
      from: 'Cae1',
      targetCseBase: '/id-in/cse-in',
    });
    expect(keys.get(e.kid)?.identity).toBe('/id-mn/Cae1');
    expect(seen).toHaveLength(2);
    expect(JSON.stringify(seen)).not.toContain(e.pairwiseE2EKey.toString('base64'));
    const client = new ESPrimClient({
      originator: new ESPrimOriginator({ kid: e.kid, pairwiseESPrimKey: e.pairwiseE2EKey }),
      send,
      from: 'Cae1',
      targetCseBase: '/id-in/cse-in',
    });
    const r = await client.request({ op: 2, to: '/id-in/cse-in/data', fr: '/id-mn/Cae1', rqi: 'i1', rvi: '3' });
    expect(r.rsc, r.dbg).toBe(2000);
  });

  it('a key established by another AE cannot speak for Cae1 (4116); Cae2, whom the ACP does not name, gets 4103', async () => {
    const other = ca.issue({ san: 'URI:m2m://m2msec.org/id-mn/Cae2', usage: 'client' });
    const e = await establishE2EKey({
      endPoint: { ...other, ca: ca.cert, identityContext: ctx, terminatingId: '/id-in' },
      send,
      from: 'Cae2',
      targetCseBase: '/id-in/cse-in',
    });
    const client = new ESPrimClient({
      originator: new ESPrimOriginator({ kid: e.kid, pairwiseESPrimKey: e.pairwiseE2EKey }),
      send,
      from: 'Cae2',
      targetCseBase: '/id-in/cse-in',
    });
    expect(
      (await client.request({ op: 2, to: '/id-in/cse-in/data', fr: '/id-mn/Cae1', rqi: 'i2', rvi: '3' })).rsc,
    ).toBe(4116);
    expect(
      (await client.request({ op: 2, to: '/id-in/cse-in/data', fr: '/id-mn/Cae2', rqi: 'i3', rvi: '3' })).rsc,
    ).toBe(4103);
  });

  it('an initiator outside the authorized set gets 4103 and no key is stored', async () => {
    const stranger = ca.issue({ san: 'URI:m2m://m2msec.org/id-in/Cx', usage: 'client' });
    const before = JSON.stringify([...(keys as any).keys.keys()]);
    await expect(
      establishE2EKey({
        endPoint: { ...stranger, ca: ca.cert, identityContext: ctx, terminatingId: '/id-in' },
        send,
        from: 'Cae2',
        targetCseBase: '/id-in/cse-in',
      }),
    ).rejects.toMatchObject({ rsc: 4103 });
    expect(JSON.stringify([...(keys as any).keys.keys()])).toBe(before);
  });

  it('a Message 3 without a Message 1, or not base64: 4000', async () => {
    const r = await send(
      rq({
        op: 5,
        to: '/id-in/cse-in',
        fr: 'Cae1',
        pc: { 'm2m:seci': { sit: 6, eckm: Buffer.from([22, 3, 3, 0, 1, 16]).toString('base64') } },
      }),
    );
    expect(r.rsc).toBe(4000);
    const bad = await send(rq({ op: 5, to: '/id-in/cse-in', fr: 'Cae1', pc: { 'm2m:seci': { sit: 6, eckm: '@@@' } } }));
    expect(bad.rsc).toBe(4000);
  });
});
