// An Originator's ESPrim exchange over any transport (TS-0004 7.6.2 steps A - M): fetch a
// receiverESPrimRandObject with a sit=3 NOTIFY (or use the shared one from e2eSecInfo), then wrap each
// inner request in an outer NOTIFY to the Target's <CSEBase> and unwrap the protected inner response.
import { randomUUID } from 'node:crypto';
import {
  M2MError,
  Operation,
  type RequestPrimitive,
  type ResponsePrimitive,
  ResponseStatusCode,
} from '@m2msec/protocol';
import { esprimError } from '../lib/errors.js';
import type { ESPrimOriginator } from '../session/originator.js';
import { supportsESPrim } from '../target/e2e-sec-info.js';
import { SecurityInfoType, securityInfoContent, securityInfoOf } from '../target/security-info.js';

export type SendPrimitive = (req: RequestPrimitive) => Promise<ResponsePrimitive>;

export interface ESPrimClientOptions {
  originator: ESPrimOriginator;
  /** Sends an outer primitive toward the Target (through the Originator's Registrar and any transit CSEs). */
  send: SendPrimitive;
  /** The Originator's ID (outer and inner From). */
  from: string;
  /** Address of the Target's <CSEBase> (SP-relative or absolute), the outer To. */
  targetCseBase: string;
  rvi?: string;
}

export class ESPrimClient {
  constructor(private readonly o: ESPrimClientOptions) {}

  private outer(pc: unknown): RequestPrimitive {
    return {
      op: Operation.NOTIFY,
      to: this.o.targetCseBase,
      fr: this.o.from,
      rqi: randomUUID(),
      rvi: this.o.rvi ?? '3',
      pc: pc as Record<string, unknown>,
    };
  }

  /**
   * B.2a - B.2c: with the Receiver's e2eSecInfo (retrieved from its <remoteCSE> / <AE> / <CSEBase>), a
   * session from its sharedReceiverESPrimRandObject when one is published and unexpired; otherwise B.2d.
   * Refused with 4111 when the Receiver does not list ESPrim (B.2c.1).
   */
  async startFromE2ESecInfo(esi: unknown): Promise<void> {
    if (!supportsESPrim(esi)) throw esprimError('unsupportedOption', 'the Receiver does not list ESPrim in e2eSecInfo');
    const esro = (esi as { esro?: unknown }).esro;
    if (esro !== undefined) {
      try {
        this.o.originator.startSession(esro);
        return;
      } catch {
        // expired or malformed: ask for a unique one (B.2c.2 -> B.2d)
      }
    }
    await this.establishSession();
  }

  /** B.2d - B.2f: asks the Receiver for a unique receiverESPrimRandObject and starts a session. */
  async establishSession(): Promise<void> {
    const rsp = await this.o.send(
      this.outer(securityInfoContent({ sit: SecurityInfoType.receiverESPrimRandObjectRequest })),
    );
    const seci = securityInfoOf(rsp.pc);
    if (
      rsp.rsc !== ResponseStatusCode.OK ||
      seci?.sit !== SecurityInfoType.receiverESPrimRandObjectResponse ||
      !seci.ero
    )
      throw new M2MError(
        rsp.rsc === ResponseStatusCode.OK ? ResponseStatusCode.BAD_REQUEST : rsp.rsc,
        `the Target gave no receiverESPrimRandObject (${rsp.rsc}${rsp.dbg ? `: ${rsp.dbg}` : ''})`,
      );
    this.o.originator.startSession(seci.ero);
  }

  /** One protected exchange: the inner response, or the outer error the Target or a transit CSE returned. */
  async request(inner: Omit<RequestPrimitive, 'fr'> & { fr?: string }): Promise<ResponsePrimitive> {
    if (!this.o.originator.hasSession) await this.establishSession();
    const rsp = await this.exchange(inner);
    // 4113 / 4114: the Target refused our rand objects before decrypting (expired, evicted or used up), so
    // the inner request was not processed; a fresh session and one retry are safe for any operation.
    if (
      rsp.rsc !== ResponseStatusCode.ESPRIM_UNKNOWN_ORIG_RAND_ID &&
      rsp.rsc !== ResponseStatusCode.ESPRIM_UNKNOWN_RECV_RAND_ID
    )
      return rsp;
    await this.establishSession();
    return this.exchange(inner);
  }

  private async exchange(inner: Omit<RequestPrimitive, 'fr'> & { fr?: string }): Promise<ResponsePrimitive> {
    const epo = this.o.originator.protectRequest({ ...inner, fr: inner.fr ?? this.o.from } as RequestPrimitive);
    const rsp = await this.o.send(this.outer(securityInfoContent({ sit: SecurityInfoType.esprimObject, epo })));
    if (rsp.rsc !== ResponseStatusCode.OK) return rsp;
    const seci = securityInfoOf(rsp.pc);
    if (seci?.sit !== SecurityInfoType.esprimObject || typeof seci.epo !== 'string')
      throw esprimError('unparsable', 'the outer response carries no ESPrim Object');
    return this.o.originator.unprotectResponse(seci.epo);
  }
}
