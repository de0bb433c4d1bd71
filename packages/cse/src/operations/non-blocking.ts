// Non-blocking requests (TS-0004 7.3.2.2 / 7.3.2.3, <request> 7.4.12, TS-0001 8.2.2): a request with
// responseType nonBlockingRequestSynch (1) or nonBlockingRequestAsynch (2) is acknowledged at once with
// ACCEPTED (1001 / 1002) and a reference to a <request> resource created under the <CSEBase>; the operation
// runs at operationExecutionTime (oet) unless requestExpirationTimestamp (rqet) has passed, its result is
// kept in operationResult of the <request>, which the originator polls (synch) or which is notified to
// the notificationURIs of the response type (asynch, 7.5.1.2.5) as m2m:rsp. The <request> lives until
// resultPersistence (rp) after the result deadline, then the expiry sweep removes it.
import {
  formatTimestamp,
  type HandlerResponse,
  isSuccess,
  M2MError,
  parseAbsRelTimestamp,
  type RequestPrimitive,
  ResponseStatusCode,
  ResponseType,
} from '@m2msec/protocol';
import type { StoredResource } from '@m2msec/store';
import { monotonicTimestamp } from '../clock.js';
import type { Core } from '../core.js';
import { newResourceId } from '../ids.js';
import { locate } from '../pipeline/locate.js';
import { REQUEST_TY } from '../pipeline/root-name.js';
import type { RequestContext } from '../request-context.js';

/** m2m:requestStatus (TS-0004 6.3.4.2.10). */
export const RequestStatus = { completed: 1, failed: 2, pending: 3, forwarded: 4, partiallyCompleted: 5 } as const;

/** noResponse (5) is for 3GPP interworking (TS-0026) only. */
const NO_RESPONSE = 5;

type Execute = (ctx: RequestContext) => Promise<HandlerResponse>;

/** m2m:metaInformation (TS-0004 6.3.5.4): the optional parameters of the request, short names. */
function metaInformation(req: RequestPrimitive): Record<string, unknown> {
  const keys = ['ty', 'ot', 'rqet', 'rset', 'oet', 'rt', 'rp', 'rcn', 'ec', 'da', 'gid', 'fc', 'drt', 'rids'] as const;
  const mi: Record<string, unknown> = {};
  for (const k of keys) if (req[k] !== undefined) mi[k] = req[k];
  mi.rvi = req.rvi;
  return mi;
}

/** m2m:operationResult (6.3.5.32) of a finished operation. */
function operationResult(core: Core, req: RequestPrimitive, rsp: HandlerResponse): Record<string, unknown> {
  const out: Record<string, unknown> = {
    rsc: rsp.rsc,
    rqi: req.rqi,
    to: req.fr,
    fr: core.config.cseId,
    ot: formatTimestamp(new Date()),
  };
  const pc = rsp.pc ?? (rsp.dbg !== undefined && !isSuccess(rsp.rsc) ? { 'm2m:dbg': rsp.dbg } : undefined);
  if (pc !== undefined) out.pc = pc;
  if (rsp.cnst !== undefined) out.cnst = rsp.cnst;
  if (rsp.cnot !== undefined) out.cnot = rsp.cnot;
  return out;
}

export class NonBlockingRequests {
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #running = new Set<Promise<void>>();
  /** Requests accepted and not finished, per originator. */
  readonly #pending = new Map<string, number>();
  #pendingTotal = 0;

  constructor(
    private readonly core: Core,
    private readonly execute: Execute,
  ) {}

  /** Whether the request asks for a non-blocking answer (flexBlocking is answered blocking: 7.2.2.2 Recv-2.0). */
  static applies(req: RequestPrimitive): boolean {
    const rtv = req.rt?.rtv;
    if (rtv === NO_RESPONSE)
      throw new M2MError(
        ResponseStatusCode.NOT_IMPLEMENTED,
        'responseType noResponse (5) applies to 3GPP interworking (TS-0026), which this CSE does not support',
      );
    return rtv === ResponseType.nonBlockingRequestSynch || rtv === ResponseType.nonBlockingRequestAsynch;
  }

  /** Creates the <request> (7.3.2.2), schedules the operation and answers the acknowledgement (7.3.2.3). */
  async accept(ctx: RequestContext): Promise<HandlerResponse> {
    const { req, now } = ctx;
    const target = await locate(this.core, req.to).catch(() => undefined);
    if (target?.resource.ty === REQUEST_TY && !target.virtual)
      // 7.4.12.2.2 - .4: a <request> is never addressed in non-blocking mode.
      throw new M2MError(
        ResponseStatusCode.BAD_REQUEST,
        'a <request> resource cannot be addressed in non-blocking mode',
      );
    const at = (k: 'rqet' | 'rset' | 'oet') =>
      req[k] === undefined ? undefined : parseAbsRelTimestamp(req[k], now, k);
    const rqet = at('rqet');
    const rset = at('rset');
    const oet = at('oet');
    if (rqet && rqet.getTime() <= now.getTime())
      throw new M2MError(ResponseStatusCode.REQUEST_TIMEOUT, 'requestExpirationTimestamp (rqet) has already passed');
    const et = this.lifetime(req, now, [rqet, rset, oet]);
    this.checkCapacity(ctx.originator);

    const cb = (await this.core.store.resources.get(this.core.cseBaseRi))!;
    const ri = newResourceId('req');
    const ct = monotonicTimestamp(now);
    const request: StoredResource = {
      ri,
      pi: cb.ri,
      rn: ri,
      ty: REQUEST_TY,
      srn: `${cb.srn}/${ri}`,
      ct,
      lt: ct,
      et: formatTimestamp(et, { fraction: true }),
      lbl: [ctx.originator],
      op: req.op,
      tg: req.to,
      org: req.fr ?? '',
      rid: req.rqi,
      mi: metaInformation(req),
      ...(req.pc !== undefined ? { pc: req.pc } : {}),
      rs: RequestStatus.pending,
      ors: { rsc: ResponseStatusCode.ACCEPTED, rqi: req.rqi },
      // No accessControlPolicyIDs: the creator rule gives the originator (and only it) access; UPDATE is
      // refused for the type (7.4.12.1-3: nothing updatable but acpi/daci, which this CSE does not offer).
      __cr: ctx.originator,
    };
    await this.core.store.resources.create(request);
    this.#pending.set(ctx.originator, (this.#pending.get(ctx.originator) ?? 0) + 1);
    this.#pendingTotal++;
    this.schedule(ctx, ri, { rqet, rset }, Math.max(0, (oet?.getTime() ?? 0) - Date.now()));
    const synch = req.rt!.rtv === ResponseType.nonBlockingRequestSynch;
    return {
      rsc: synch
        ? ResponseStatusCode.ACCEPTED_NON_BLOCKING_REQUEST_SYNCH
        : ResponseStatusCode.ACCEPTED_NON_BLOCKING_REQUEST_ASYNCH,
      rqi: req.rqi,
      ot: formatTimestamp(now),
      pc: { 'm2m:uri': ri },
    };
  }

  /**
   * expirationTime of the <request> (Table 7.3.2.2-1): the latest of rqet, rset and oet (or now), plus the
   * result persistence (rp, else the configured default); longer than the configured maximum is refused.
   */
  private lifetime(req: RequestPrimitive, now: Date, times: Array<Date | undefined>): Date {
    const { defaultResultPersistenceMs, maxRequestLifetimeMs } = this.core.config.nonBlocking;
    const deadline = new Date(Math.max(now.getTime(), ...times.map((t) => t?.getTime() ?? 0)));
    const et =
      req.rp !== undefined
        ? parseAbsRelTimestamp(req.rp, deadline, 'rp')
        : new Date(deadline.getTime() + defaultResultPersistenceMs);
    if (et.getTime() <= deadline.getTime())
      throw new M2MError(ResponseStatusCode.BAD_REQUEST, 'resultPersistence (rp) ends before the result is due');
    if (et.getTime() - now.getTime() > maxRequestLifetimeMs)
      throw new M2MError(
        ResponseStatusCode.BAD_REQUEST,
        `the request would be kept longer than this CSE allows (${maxRequestLifetimeMs} ms): shorten rqet, rset, oet or rp`,
      );
    return et;
  }

  /** Bounds what one originator, and all together, can hold in memory through deferred requests. */
  private checkCapacity(originator: string): void {
    const { maxPendingPerOriginator, maxPending } = this.core.config.nonBlocking;
    if ((this.#pending.get(originator) ?? 0) >= maxPendingPerOriginator || this.#pendingTotal >= maxPending)
      throw new M2MError(
        ResponseStatusCode.BAD_REQUEST,
        `too many non-blocking requests pending (at most ${maxPendingPerOriginator} per originator, ${maxPending} in all); retry when earlier ones have completed`,
      );
  }

  private finished(originator: string): void {
    const n = (this.#pending.get(originator) ?? 1) - 1;
    if (n <= 0) this.#pending.delete(originator);
    else this.#pending.set(originator, n);
    this.#pendingTotal--;
  }

  private schedule(ctx: RequestContext, ri: string, limits: { rqet?: Date; rset?: Date }, delayMs: number): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      const run = this.run(ctx, ri, limits)
        .catch((e) => this.core.log.warn({ ri }, `non-blocking request failed: ${(e as Error).message}`))
        .finally(() => {
          this.#running.delete(run);
          this.finished(ctx.originator);
        });
      this.#running.add(run);
    }, delayMs);
    timer.unref();
    this.#timers.add(timer);
  }

  private async run(ctx: RequestContext, ri: string, limits: { rqet?: Date; rset?: Date }): Promise<void> {
    const store = this.core.store;
    // Deleted before it ran: the originator cancelled it (7.4.12.2.4).
    if (!(await store.resources.get(ri))) return;
    const { req } = ctx;
    let rsp: HandlerResponse;
    if (limits.rqet && Date.now() >= limits.rqet.getTime()) {
      // 7.3.3.1: a request whose expiration passed before it could be handled.
      rsp = { rsc: ResponseStatusCode.REQUEST_TIMEOUT, rqi: req.rqi, dbg: 'requestExpirationTimestamp (rqet) passed' };
    } else {
      rsp = await this.execute({ ...ctx, req: { ...req, rt: undefined }, now: new Date(), access: undefined });
      if (limits.rset && Date.now() >= limits.rset.getTime())
        // 7.3.3.16: the result is due before resultExpirationTimestamp; a late one is not delivered.
        rsp = { rsc: ResponseStatusCode.REQUEST_TIMEOUT, rqi: req.rqi, dbg: 'resultExpirationTimestamp (rset) passed' };
    }
    const ors = operationResult(this.core, req, rsp);
    const updated = await store.transaction(async (tx) => {
      const current = await tx.resources.get(ri);
      if (!current) return undefined;
      const next = {
        ...current,
        rs: isSuccess(rsp.rsc) ? RequestStatus.completed : RequestStatus.failed,
        ors,
        lt: monotonicTimestamp(new Date()),
      };
      await tx.resources.update(next);
      return next;
    });
    if (updated && req.rt?.rtv === ResponseType.nonBlockingRequestAsynch) await this.notifyResult(ctx, ors);
  }

  /**
   * 7.5.1.2.5: a NOTIFY with the response as m2m:rsp to each notificationURI, or to the originator when
   * none was given; an empty list means no notification.
   */
  private async notifyResult(ctx: RequestContext, ors: Record<string, unknown>): Promise<void> {
    const targets = ctx.req.rt?.nu ?? [ctx.originator];
    for (const nu of targets) {
      await this.core.notifier
        .send(nu, { 'm2m:rsp': ors })
        .catch((e) => this.core.log.warn({ nu }, `result notification failed: ${(e as Error).message}`));
    }
  }

  /** After a restart nothing runs the <request>s left PENDING: they are marked FAILED (5000). */
  async failInterrupted(): Promise<void> {
    const store = this.core.store;
    for (const r of await store.resources.children(this.core.cseBaseRi, { ty: [REQUEST_TY] })) {
      if (r.rs !== RequestStatus.pending) continue;
      await store.resources.update({
        ...r,
        rs: RequestStatus.failed,
        ors: {
          rsc: ResponseStatusCode.INTERNAL_SERVER_ERROR,
          rqi: r.rid,
          pc: { 'm2m:dbg': 'interrupted by a restart' },
        },
        lt: monotonicTimestamp(new Date()),
      });
    }
  }

  /** Cancels requests not yet started and waits for the running ones. */
  async stop(): Promise<void> {
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    this.#pending.clear();
    this.#pendingTotal = 0;
    await Promise.allSettled([...this.#running]);
  }
}
