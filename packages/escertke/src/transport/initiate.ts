// The Initiating End-Point's side of ESCertKE over NOTIFY (TS-0004 7.5.1.2.12): Message 1 and 3 go in
// outer NOTIFYs to the Terminating End-Point's <CSEBase>, Messages 2 and 4 come back in the responses.
import { randomUUID } from 'node:crypto';
import { Operation, type RequestPrimitive, type ResponsePrimitive, ResponseStatusCode } from '@m2msec/protocol';
import type { EstablishedE2EKey } from '../established.js';
import { InitiatingEndPoint, type InitiatingOptions } from '../initiating.js';
import { EscertkeError } from '../lib/errors.js';
import { SIT_ESCERTKE } from './target-handler.js';

export async function establishE2EKey(o: {
  endPoint: InitiatingOptions;
  send: (req: RequestPrimitive) => Promise<ResponsePrimitive>;
  /** Outer From (the Originator's ID at its Registrar) and the Terminating End-Point's <CSEBase>. */
  from: string;
  targetCseBase: string;
}): Promise<EstablishedE2EKey> {
  const init = new InitiatingEndPoint(o.endPoint);
  const exchange = async (m: Buffer): Promise<Buffer> => {
    const rsp = await o.send({
      op: Operation.NOTIFY,
      to: o.targetCseBase,
      fr: o.from,
      rqi: randomUUID(),
      rvi: '3',
      pc: { 'm2m:seci': { sit: SIT_ESCERTKE, eckm: m.toString('base64') } },
    });
    const s = (rsp.pc as Record<string, { sit?: unknown; eckm?: unknown }> | undefined)?.['m2m:seci'];
    if (rsp.rsc !== ResponseStatusCode.OK || s?.sit !== SIT_ESCERTKE || typeof s.eckm !== 'string')
      throw new M2MErrorFrom(rsp);
    return Buffer.from(s.eckm, 'base64');
  };
  try {
    const m2 = await exchange(await init.message1());
    const m4 = await exchange(await init.processMessage2(m2));
    return await init.processMessage4(m4);
  } finally {
    init.close();
  }
}

class M2MErrorFrom extends EscertkeError {
  constructor(rsp: ResponsePrimitive) {
    super(
      rsp.rsc === ResponseStatusCode.ORIGINATOR_HAS_NO_PRIVILEGE ? 'ERR_ESCERTKE_PEER' : 'ERR_ESCERTKE_MESSAGE',
      `the Terminating End-Point answered ${rsp.rsc}${rsp.dbg ? `: ${rsp.dbg}` : ''}`,
    );
  }
}
