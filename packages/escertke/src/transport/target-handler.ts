// ESCertKE Messages over NOTIFY (TS-0004 7.5.1.2.12): the Terminating End-Point's side as a wrapper around
// a CSE's RequestHandler. A NOTIFY to this CSE's <CSEBase> with m2m:seci sit 6 carries Message 1 or 3 in
// `eckm` (base64); the answer carries Message 2 or 4. Handshake state is kept per outer From for a short
// time: From is not authenticated (other CSEs relay it), it only pairs Message 3 with its Message 1; who the
// initiator is comes from its certificate alone.
import {
  type HandlerResponse,
  M2MError,
  Operation,
  type RequestHandler,
  type RequestPrimitive,
  ResponseStatusCode,
} from '@m2msec/protocol';
import type { EstablishedE2EKey } from '../established.js';
import { EscertkeError } from '../lib/errors.js';
import { TerminatingEndPoint, type TerminatingOptions } from '../terminating.js';

export const SIT_ESCERTKE = 6;

export interface ESCertKETargetOptions {
  terminating: TerminatingOptions;
  isCseBase(to: string): boolean;
  /** Called with each key established (e.g. add it to the ESPrim key store bound to `peer.id`). */
  onEstablished(established: EstablishedE2EKey): void | Promise<void>;
  /** How long a handshake may take between Message 1 and Message 3 (default 30 s). */
  handshakeTimeoutMs?: number;
  /** Concurrent handshakes kept (default 1,024); beyond, Message 1 is refused with 4000. */
  maxPending?: number;
  now?: () => number;
}

const isClientHello = (b: Buffer) => b.length > 5 && b[0] === 22 && b[5] === 1;

function eckmOf(pc: unknown): string | undefined {
  const s = (pc as Record<string, { sit?: unknown; eckm?: unknown }> | undefined)?.['m2m:seci'];
  return s?.sit === SIT_ESCERTKE && typeof s.eckm === 'string' ? s.eckm : undefined;
}

export function withESCertKETarget(handler: RequestHandler, o: ESCertKETargetOptions): RequestHandler {
  const pending = new Map<string, { endPoint: TerminatingEndPoint; expiresAt: number }>();
  const now = o.now ?? Date.now;
  const timeout = o.handshakeTimeoutMs ?? 30_000;
  const prune = () => {
    for (const [k, p] of pending) {
      if (p.expiresAt <= now()) {
        p.endPoint.close();
        pending.delete(k);
      }
    }
  };
  return async (raw, transport) => {
    const req = raw as Partial<RequestPrimitive>;
    const eckm =
      req?.op === Operation.NOTIFY && typeof req.to === 'string' && o.isCseBase(req.to) ? eckmOf(req.pc) : undefined;
    if (eckm === undefined) return handler(raw, transport);
    const rqi = typeof req.rqi === 'string' ? req.rqi : '';
    const from = typeof req.fr === 'string' ? req.fr : '';
    const answer = (m: Buffer): HandlerResponse => ({
      rsc: ResponseStatusCode.OK,
      rqi,
      pc: { 'm2m:seci': { sit: SIT_ESCERTKE, eckm: m.toString('base64') } },
    });
    try {
      const message = Buffer.from(eckm, 'base64');
      if (message.length === 0 || message.toString('base64') !== eckm.replace(/\s/g, ''))
        throw new EscertkeError('ERR_ESCERTKE_MESSAGE', 'eckm is not base64');
      prune();
      if (isClientHello(message)) {
        pending.get(from)?.endPoint.close();
        pending.delete(from);
        if (pending.size >= (o.maxPending ?? 1024))
          throw new EscertkeError('ERR_ESCERTKE_MESSAGE', 'too many ESCertKE handshakes in progress');
        const endPoint = new TerminatingEndPoint(o.terminating);
        pending.set(from, { endPoint, expiresAt: now() + timeout });
        return answer(await endPoint.processMessage1(message));
      }
      const p = pending.get(from);
      if (!p) throw new EscertkeError('ERR_ESCERTKE_MESSAGE', 'an ESCertKE Message 3 without a handshake in progress');
      pending.delete(from);
      const { message4, established } = await p.endPoint.processMessage3(message);
      await o.onEstablished(established);
      return answer(message4);
    } catch (e) {
      pending.get(from)?.endPoint.close();
      pending.delete(from);
      if (e instanceof M2MError) return { rsc: e.rsc, rqi, dbg: e.message };
      return { rsc: ResponseStatusCode.BAD_REQUEST, rqi, dbg: 'ESCertKE processing failed' };
    }
  };
}
