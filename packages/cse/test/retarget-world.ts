// Two or three CSEs in one process joined by an in-process transport: each hop arrives with the
// association a SAEF session would carry (bound to the sending CSE's CSE-ID), as the binding's SA
// layer builds it. Real network hops are tested in apps/mn-cse and test-e2e.
import type { RequestPrimitive, RequestSender, ResponsePrimitive, TransportContext } from '@m2msec/protocol';
import { openSqliteStore } from '@m2msec/store';
import { Cse, type CseOptions } from '../src/index.js';

const nodes = new Map<string, Cse>();
let n = 0;

/** Sends as `fromCseId` to the CSE named by the poa's host: inproc://<csi without '/'>. */
export class InProcessSender implements RequestSender {
  readonly schemes = ['inproc'] as const;
  readonly sent: RequestPrimitive[] = [];
  constructor(private readonly fromCseId: string) {}
  async send(poa: string, req: RequestPrimitive): Promise<ResponsePrimitive> {
    this.sent.push(req);
    const target = nodes.get(`/${new URL(poa).host}`);
    if (!target) throw new Error(`no node at ${poa}`);
    return target.handle(structuredClone(req), {
      binding: 'internal',
      association: { boundIds: [this.fromCseId], framework: 'test-saef' },
    });
  }
}

export interface Node {
  cse: Cse;
  sender: InProcessSender;
  /** A request from an AE of this CSE (no association: a registered AE outside one). */
  send(req: Partial<RequestPrimitive> & { op: number; to: string }): Promise<ResponsePrimitive>;
  /** A request arriving over an association bound to `boundId`. */
  sendAs(boundId: string, req: Partial<RequestPrimitive> & { op: number; to: string }): Promise<ResponsePrimitive>;
}

const plain: TransportContext = { binding: 'http', peerAddress: '127.0.0.1' };

export async function openNode(
  cseId: string,
  cseBaseName: string,
  cseType: 1 | 2 | 3,
  extra: Partial<CseOptions> & { config?: Partial<CseOptions['config']> } = {},
): Promise<Node> {
  const sender = new InProcessSender(cseId);
  const cse = await Cse.open({
    store: await openSqliteStore({ file: ':memory:' }),
    appRules: [{ name: 'open', allowedAppIDs: ['*'], allowedAEs: ['*'] }],
    retargetSenders: [sender],
    ...extra,
    config: { cseId, cseBaseName, cseType, expirySweepMs: 0, poa: [`inproc://${cseId.slice(1)}`], ...extra.config },
  });
  nodes.set(cseId, cse);
  const rq = (req: Partial<RequestPrimitive> & { op: number; to: string }) => ({ rqi: `q${++n}`, rvi: '3', ...req });
  return {
    cse,
    sender,
    send: (req) => cse.handle(rq(req), plain),
    sendAs: (boundId, req) =>
      cse.handle(rq(req), { binding: 'internal', association: { boundIds: [boundId], framework: 'test-saef' } }),
  };
}

export function remoteCse(csi: string, cb: string, cst: number, poa: string[], dcse?: string[]) {
  return {
    'm2m:csr': { csi, cb, cst, rr: true, poa, srv: ['3'], ...(dcse ? { dcse } : {}) },
  };
}

/** TS-0001 10.2.2.7: CREATE <remoteCSE> at the registrar, then the registrar's <remoteCSE> locally. */
export async function register(
  mn: Node,
  mnId: string,
  mnBase: string,
  inNode: Node,
  inId: string,
  inBase: string,
  cst: 2 | 3 = 2,
  registrarCst: 1 | 2 = 1,
) {
  const up = await mn.sender.send(`inproc://${inId.slice(1)}`, {
    op: 1,
    to: `${inId}/${inBase}`,
    fr: mnId,
    rqi: `reg${++n}`,
    rvi: '3',
    ty: 16,
    pc: remoteCse(mnId, `${mnId}/${mnBase}`, cst, [`inproc://${mnId.slice(1)}`]),
  });
  if (up.rsc !== 2001) throw new Error(`register at registrar: ${up.rsc} ${up.dbg}`);
  await mn.cse.recordRegistrar({
    csi: inId,
    cb: `${inId}/${inBase}`,
    cst: registrarCst,
    poa: [`inproc://${inId.slice(1)}`],
  });
  void inNode;
}
