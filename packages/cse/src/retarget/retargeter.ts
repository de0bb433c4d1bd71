// Forwarding of requests this CSE does not host (TS-0004 7.3.2.6, TS-0001 8.2.1.1): From made
// SP-relative (absolute towards another SP), expiry times made absolute and honoured, the request
// sent to the next hop's point of access with a RequestSender, the response relayed unchanged.
// Failures: 5103 TARGET_NOT_REACHABLE, 4008 REQUEST_TIMEOUT; a request that comes back to a CSE
// that is still forwarding it (same From, Request Identifier and To) is a loop and is refused.
import {
  formatTimestamp,
  type HandlerResponse,
  M2MError,
  Operation,
  parseAbsRelTimestamp,
  type RequestPrimitive,
  type RequestSender,
  ResourceType,
  type ResponsePrimitive,
  ResponseStatusCode,
  type Target,
} from '@m2msec/protocol';
import type { Core } from '../core.js';
import { newResourceId } from '../ids.js';
import { descendantCseIds } from './descendants.js';
import { hopOf, type NextHop, nextHop } from './route.js';

export interface RetargetInput {
  req: RequestPrimitive;
  target: Target;
  /** From normalised by identification: SP-relative within this SP, absolute otherwise. */
  originator: string;
  /** The CSE bound to the association the request came over, if any. */
  fromCseId: string | undefined;
}

const loopKey = (fr: string, rqi: string, to: string) => `${fr}\u0000${rqi}\u0000${to}`;

const EXPIRY_FIELDS = ['rqet', 'rset', 'oet'] as const;

export class Retargeter {
  private readonly inFlight = new Set<string>();
  private descendantSync: Promise<void> = Promise.resolve();

  constructor(
    private readonly core: Core,
    private readonly senders: readonly RequestSender[],
    private readonly sendersFor?: (cseId: string) => readonly RequestSender[] | undefined,
  ) {}

  /** A request this CSE is still forwarding came back: refuse it before anything else (5103). */
  checkLoop(originator: string, rqi: string, to: string): void {
    if (this.inFlight.has(loopKey(originator, rqi, to))) {
      throw new M2MError(
        ResponseStatusCode.TARGET_NOT_REACHABLE,
        `forwarding loop: request '${rqi}' from '${originator}' to '${to}' came back to ${this.core.config.cseId}`,
      );
    }
  }

  async forward(input: RetargetInput): Promise<HandlerResponse> {
    const { core } = this;
    const now = new Date();
    const { req, deadline } = this.outgoing(input, now);
    const key = loopKey(req.fr!, req.rqi, req.to);
    this.checkLoop(req.fr!, req.rqi, req.to);
    const hop = await nextHop(core, input.target, input.fromCseId);
    if (hop.cseId === input.fromCseId) {
      throw new M2MError(
        ResponseStatusCode.TARGET_NOT_REACHABLE,
        `forwarding loop: the next hop towards '${req.to}' is '${hop.cseId}', which sent the request`,
      );
    }
    let timeoutMs = core.config.requestTimeoutMs;
    if (deadline !== undefined) timeoutMs = Math.min(timeoutMs, deadline.getTime() - now.getTime());
    this.inFlight.add(key);
    try {
      const rsp = await this.sendToHop(hop, req, timeoutMs);
      core.log.debug({ rqi: req.rqi, hop: hop.cseId, rsc: rsp.rsc }, 'request forwarded');
      const { rsc, rqi, pc, rvi, ot, rset, ati, dbg } = rsp;
      return {
        rsc,
        rqi: rqi ?? req.rqi,
        ...(pc !== undefined ? { pc } : {}),
        ...(rvi !== undefined ? { rvi } : {}),
        ...(ot !== undefined ? { ot } : {}),
        ...(rset !== undefined ? { rset } : {}),
        ...(ati !== undefined ? { ati } : {}),
        ...(dbg !== undefined ? { dbg } : {}),
      };
    } finally {
      this.inFlight.delete(key);
    }
  }

  /**
   * After a registree CSE registered, left or changed its descendantCSEs: UPDATE of this CSE's
   * <remoteCSE> at the registrar with the new list (TS-0001 10.2.2.7 / 10.2.2.9 / 10.2.2.10).
   * Serialised, so the registrar sees the updates in order; failures are logged (the MN-CSE's
   * registration sends the list again with its next registration).
   */
  syncDescendants(): Promise<void> {
    this.descendantSync = this.descendantSync.then(() =>
      this.sendDescendants().catch((e) =>
        this.core.log.warn(
          { registrar: this.core.config.registrarCseId },
          `descendantCSEs update: ${(e as Error).message}`,
        ),
      ),
    );
    return this.descendantSync;
  }

  private async sendDescendants(): Promise<void> {
    const { config, store, cseBaseRi } = this.core;
    if (config.cseType === 1 || !config.registrarCseId) return;
    const remotes = await store.resources.children(cseBaseRi, { ty: [ResourceType.remoteCSE] });
    const registrar = remotes.find((r) => r.csi === config.registrarCseId);
    if (!registrar || typeof registrar.cb !== 'string') return; // not registered yet
    const dcse = await descendantCseIds(this.core);
    const req: RequestPrimitive = {
      op: Operation.UPDATE,
      to: `${registrar.cb}/${config.cseId.slice(1)}`,
      fr: config.cseId,
      rqi: newResourceId('dcse'),
      rvi: '3',
      pc: { 'm2m:csr': { dcse: dcse.length > 0 ? dcse : null } },
    };
    const rsp = await this.sendToHop(hopOf(registrar, true), req, config.requestTimeoutMs);
    if (rsp.rsc !== ResponseStatusCode.UPDATED) {
      throw new M2MError(rsp.rsc, `the registrar answered ${rsp.rsc}${rsp.dbg ? `: ${rsp.dbg}` : ''}`);
    }
  }

  /** A request this CSE originates, sent to a CSE registered with it (registrar or registree). */
  async sendTo(cseId: string, req: RequestPrimitive): Promise<ResponsePrimitive> {
    const { store, cseBaseRi, config } = this.core;
    const remotes = await store.resources.children(cseBaseRi, { ty: [ResourceType.remoteCSE] });
    const csr = remotes.find((r) => r.csi === cseId);
    if (!csr) throw new M2MError(ResponseStatusCode.NOT_FOUND, `CSE '${cseId}' is not registered with this CSE`);
    return this.sendToHop(hopOf(csr, cseId === config.registrarCseId), req, config.requestTimeoutMs);
  }

  /** The primitive as it leaves this CSE, and the earliest expiry time it carries. */
  private outgoing(input: RetargetInput, now: Date): { req: RequestPrimitive; deadline?: Date } {
    const { config } = this.core;
    const out: RequestPrimitive = { ...input.req };
    // TS-0004 7.3.2.6: CSE-relative From gains our CSE-ID (identification already did that); towards
    // another SP the From is made absolute.
    const otherSp = input.target.scope === 'absolute' && input.target.spId !== config.spId;
    out.fr =
      otherSp && input.originator.startsWith('/') && !input.originator.startsWith('//')
        ? `//${config.spId}${input.originator}`
        : input.originator;
    let deadline: Date | undefined;
    for (const f of EXPIRY_FIELDS) {
      const v = out[f];
      if (v === undefined) continue;
      const at = parseAbsRelTimestamp(v, now, f);
      if (at.getTime() <= now.getTime()) {
        throw new M2MError(
          ResponseStatusCode.REQUEST_TIMEOUT,
          `${f} ${String(v)} has passed; the request is not forwarded (TS-0004 7.3.2.6)`,
        );
      }
      // A relative time would restart at every hop: forward the absolute instant.
      out[f] = formatTimestamp(at, { fraction: true });
      if (deadline === undefined || at < deadline) deadline = at;
    }
    return { req: out, ...(deadline ? { deadline } : {}) };
  }

  private async sendToHop(hop: NextHop, req: RequestPrimitive, timeoutMs: number) {
    let last: M2MError | undefined;
    const senders = this.sendersFor?.(hop.cseId) ?? this.senders;
    for (const poa of hop.poa) {
      const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(poa)?.[1]?.toLowerCase();
      const sender = senders.find((s) => scheme !== undefined && s.schemes.includes(scheme));
      if (!sender) {
        last = new M2MError(
          ResponseStatusCode.TARGET_NOT_REACHABLE,
          `no sender for the '${scheme ?? '?'}' point of access of CSE '${hop.cseId}'`,
        );
        continue;
      }
      try {
        return await sender.send(poa, req, { timeoutMs, retarget: true });
      } catch (e) {
        const err = e instanceof M2MError ? e : undefined;
        if (err?.rsc === ResponseStatusCode.REQUEST_TIMEOUT) {
          // The request may have been executed: never sent twice.
          throw new M2MError(
            ResponseStatusCode.REQUEST_TIMEOUT,
            `forwarding to CSE '${hop.cseId}' timed out: ${err.message}`,
          );
        }
        last = new M2MError(
          err?.rsc === ResponseStatusCode.TARGET_NOT_REACHABLE || !err
            ? ResponseStatusCode.TARGET_NOT_REACHABLE
            : err.rsc,
          `forwarding to CSE '${hop.cseId}' failed: ${err?.message ?? 'sender error'}`,
        );
        if (err && err.rsc !== ResponseStatusCode.TARGET_NOT_REACHABLE) throw last;
      }
    }
    throw last!;
  }
}
