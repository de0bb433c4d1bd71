// pnpm --filter @m2msec/esprim bench — ESPrim cost, each beside a baseline measured in the same run:
//  1. a RETRIEVE from an AE through a relaying MN-CSE to the IN-CSE (two real Cse instances in one
//     process, in-process hops), ESPrim-protected against the same RETRIEVE unprotected (issue 14: >= 0.5);
//  2. the ESPrim operations alone (protect request, unprotect it, protect response, unprotect it) against
//     serializing and parsing the same two primitives as JSON.
import { randomBytes } from 'node:crypto';
import { Cse } from '@m2msec/cse';
import type { RequestHandler, RequestPrimitive, RequestSender, ResponsePrimitive } from '@m2msec/protocol';
import { openSqliteStore } from '@m2msec/store';
import { interleaved, printRows, type Row } from '@m2msec/test-support';
import {
  ESPrimClient,
  ESPrimOriginator,
  ESPrimReceiver,
  esprimAuthenticated,
  PairwiseESPrimKeys,
  withESPrimTarget,
} from '../src/index.js';

const BUDGET_MS = Number(process.env.BENCH_MS ?? 1500);
const AE = '/id-mn/Cae1';
const KID = 'bench@mef.m2msec.org';
const key = randomBytes(32);
const handlers = new Map<string, RequestHandler>();
const plain = { binding: 'http' as const, peerAddress: '127.0.0.1' };

class InProcessSender implements RequestSender {
  readonly schemes = ['inproc'] as const;
  constructor(private readonly fromCseId: string) {}
  send(poa: string, req: RequestPrimitive): Promise<ResponsePrimitive> {
    return handlers.get(`/${new URL(poa).host}`)!(structuredClone(req), {
      binding: 'internal',
      association: { boundIds: [this.fromCseId], framework: 'bench-saef' },
    });
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

async function relayWorld() {
  const inCse = await open('/id-in', 'cse-in', 1);
  const mn = await open('/id-mn', 'cse-mn', 2, { registrarCseId: '/id-in' });
  const keys = new PairwiseESPrimKeys();
  keys.add({ kid: KID, key, identity: AE });
  const bases = new Set(['/id-in/cse-in', '/id-in', 'cse-in']);
  handlers.set(
    '/id-in',
    withESPrimTarget(inCse.handle, { receiver: new ESPrimReceiver({ keys }), isCseBase: (to) => bases.has(to) }),
  );
  handlers.set('/id-mn', mn.handle);
  const csr = {
    'm2m:csr': { csi: '/id-mn', cb: '/id-mn/cse-mn', cst: 2, rr: true, poa: ['inproc://id-mn'], srv: ['3'] },
  };
  const up = await new InProcessSender('/id-mn').send(
    'inproc://id-in',
    rq({ op: 1, to: '/id-in/cse-in', fr: '/id-mn', ty: 16, pc: csr }),
  );
  if (up.rsc !== 2001) throw new Error(`register: ${up.rsc} ${up.dbg}`);
  await mn.recordRegistrar({ csi: '/id-in', cb: '/id-in/cse-in', cst: 1, poa: ['inproc://id-in'] });
  const acp = {
    'm2m:acp': { rn: 'acp', pv: { acr: [{ acor: [AE], acop: 2 }] }, pvs: { acr: [{ acor: ['CAdmin'], acop: 63 }] } },
  };
  await inCse.handle(rq({ op: 1, to: 'cse-in', fr: 'CAdmin', ty: 1, pc: acp }), plain);
  await inCse.handle(
    rq({ op: 1, to: 'cse-in', fr: 'CAdmin', ty: 3, pc: { 'm2m:cnt': { rn: 'data', acpi: ['cse-in/acp'] } } }),
    plain,
  );
  await mn.handle(
    rq({ op: 1, to: 'cse-mn', fr: 'Cae1', ty: 2, pc: { 'm2m:ae': { api: 'Nb', rr: false, srv: ['3'] } } }),
    plain,
  );
  const client = new ESPrimClient({
    originator: new ESPrimOriginator({ kid: KID, pairwiseESPrimKey: key }),
    send: (req) => mn.handle(req, plain),
    from: 'Cae1',
    targetCseBase: '/id-in/cse-in',
  });
  return { mn, client };
}

async function main() {
  const rows: Row[] = [];
  const { mn, client } = await relayWorld();
  const plainRetrieve = async () => {
    const r = await mn.handle(rq({ op: 2, to: '/id-in/cse-in/data', fr: 'Cae1' }), plain);
    if (r.rsc !== 2000) throw new Error(`plain RETRIEVE: ${r.rsc} ${r.dbg}`);
  };
  const esprimRetrieve = async () => {
    const r = await client.request({ op: 2, to: '/id-in/cse-in/data', fr: AE, rqi: `e${++n}`, rvi: '3' });
    if (r.rsc !== 2000) throw new Error(`ESPrim RETRIEVE: ${r.rsc} ${r.dbg}`);
  };
  const relay = await interleaved(esprimRetrieve, plainRetrieve, 2 * BUDGET_MS);
  rows.push({
    name: 'RETRIEVE AE->MN->IN, ESPrim (A256GCM)',
    opsPerSec: relay.ops,
    baseline: 'same RETRIEVE, no ESPrim',
    baselineOpsPerSec: relay.baselineOps,
  });

  // The ESPrim operations alone.
  const keys = new PairwiseESPrimKeys();
  keys.add({ kid: KID, key, identity: AE });
  const receiver = new ESPrimReceiver({ keys });
  let originator = new ESPrimOriginator({ kid: KID, pairwiseESPrimKey: key });
  originator.startSession(receiver.issueRandObject());
  let uses = 0;
  const req = (): RequestPrimitive => ({ op: 2, to: '/id-in/cse-in/data', fr: AE, rqi: `p${++n}`, rvi: '3' });
  const rsp = (rqi: string): ResponsePrimitive => ({
    rsc: 2000,
    rqi,
    pc: { 'm2m:cnt': { rn: 'data', ri: 'cnt123', cni: 0, cbs: 0 } },
  });
  const cycle = async () => {
    if (++uses % 30_000 === 0) {
      // stay below the replay guard's per-session bound, as ESPrimClient does on 4113
      originator = new ESPrimOriginator({ kid: KID, pairwiseESPrimKey: key });
      originator.startSession(receiver.issueRandObject());
    }
    const r = req();
    const { inner, session } = await receiver.unprotectRequest(originator.protectRequest(r));
    originator.unprotectResponse(receiver.protectResponse(session, rsp(inner.rqi)));
  };
  const jsonCycle = async () => {
    const r = req();
    const inner = JSON.parse(JSON.stringify(r)) as RequestPrimitive;
    JSON.parse(JSON.stringify(rsp(inner.rqi)));
  };
  const alone = await interleaved(cycle, jsonCycle, 2 * BUDGET_MS);
  rows.push({
    name: 'ESPrim protect+unprotect, request and response',
    opsPerSec: alone.ops,
    baseline: 'JSON serialize+parse of the same',
    baselineOpsPerSec: alone.baselineOps,
  });
  printRows(rows);
}

await main();
