// Notifications of <subscription> (TS-0004 7.4.8, 7.5.1.2.x; TS-0001 10.2.10/10.2.11): verification
// request on create (7.5.1.2.3), event notifications (m2m:sgn) matched against eventNotificationCriteria,
// in the notificationContentType asked for, with latestNotify / notificationEventCat as Event Category,
// batched (m2m:agn) per batchNotify, counted down by expirationCounter (7.5.1.2.2 Step 5.0), deletion
// notices (sud) to the subscriberURI (7.5.1.2.4), rateLimit windows, and the Blocking_Update
// notification (7.5.1.2.19).
import {
  type IdContext,
  isSuccess,
  M2MError,
  Operation,
  parseOriginator,
  type RequestPrimitive,
  type RequestSender,
  type ResponsePrimitive,
  ResponseStatusCode,
  rootNameFor,
  toSpRelativeOriginator,
} from '@m2msec/protocol';
import type { Store, StoredResource } from '@m2msec/store';
import type { CseConfig } from '../config.js';
import { newResourceId } from '../ids.js';
import type { Logger } from '../logger.js';
import { inNotificationSchedule } from '../resources/schedule.js';
import { type EventNotificationCriteria, eventTypes, matches, NotificationEventType } from './criteria.js';
import { parseDuration } from './duration.js';
import { RateLimiter } from './rate-limit.js';
import {
  NotificationTargetPolicy,
  TARGET_NOT_REACHABLE_TEXT,
  TargetRefused,
  targetNotReachable,
} from './target-policy.js';

export { NotificationEventType } from './criteria.js';

/** m2m:stdEventCats "latest" (TS-0004 6.3.4.2.x), the Event Category of latestNotify notifications. */
const EVENT_CATEGORY_LATEST = 4;
/** notificationContentType (TS-0001 Table 9.6.8-4). */
export const NotificationContentType = { allAttributes: 1, modifiedAttributes: 2, resourceId: 3, triggerPayload: 4 };

interface Batch {
  sub: StoredResource;
  items: Record<string, unknown>[];
  timer: NodeJS.Timeout;
}

export interface NotifierHooks {
  /** Deletes a subscription whose expirationCounter reached 0 (with its deletion notice). */
  expire(sub: StoredResource): Promise<void>;
}

/**
 * Delivery through a <pollingChannel> (TS-0001 10.2.5.12) for a target without a point of access;
 * undefined when the target has no channel.
 */
export type PollingChannelDelivery = (
  target: string,
  req: RequestPrimitive,
  timeoutMs: number,
) => Promise<ResponsePrimitive | undefined>;

export class Notifier {
  private readonly senders = new Map<string, RequestSender>();
  /** Set by the CSE: how a target without poa is reached (its pollingChannel). */
  viaPollingChannel?: PollingChannelDelivery;
  private readonly batches = new Map<string, Batch>();
  private readonly rateLimiter = new RateLimiter();
  /** Per subscription: expirationCounter updates one after another. */
  private readonly counting = new Map<string, Promise<void>>();
  hooks: NotifierHooks = { expire: async () => {} };
  /** Which addresses may be sent to, and how many at once (docs/hardening.md). */
  readonly targets: NotificationTargetPolicy;

  constructor(
    private readonly config: CseConfig,
    private readonly store: Pick<Store, 'resources'>,
    senders: readonly RequestSender[],
    private readonly log: Logger,
    private readonly render: (r: StoredResource) => Record<string, unknown>,
  ) {
    for (const s of senders) for (const scheme of s.schemes) this.senders.set(scheme, s);
    this.targets = new NotificationTargetPolicy(config.notifications);
  }

  private get idContext(): IdContext {
    return { spId: this.config.spId, cseId: this.config.cseId };
  }

  /** The local resource a non-URL notification target names (ri, structured, SP-relative or absolute). */
  async resolveTarget(nu: string): Promise<StoredResource | undefined> {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(nu)) return undefined;
    let id = nu;
    const absolute = `//${this.config.spId}${this.config.cseId}/`;
    if (id.startsWith(absolute)) id = id.slice(absolute.length);
    else if (id.startsWith(`${this.config.cseId}/`)) id = id.slice(this.config.cseId.length + 1);
    else if (id.startsWith('/')) id = id.slice(1); // '/Sxyz' or '/id-mn'
    return id.includes('/') ? this.store.resources.getBySrn(id) : this.store.resources.get(id);
  }

  /**
   * Whether a notification target is the originator itself in any form (TS-0004 7.4.8.2.1: no
   * verification for it): its AE-ID / CSE-ID as CSE-relative, SP-relative or absolute ID, or the
   * resource ID or structured name of its <AE> / <remoteCSE>.
   */
  async isOriginator(nu: string, originator: string): Promise<boolean> {
    if (!originator || /^[a-z][a-z0-9+.-]*:\/\//i.test(nu)) return false;
    try {
      if (toSpRelativeOriginator(parseOriginator(nu), this.idContext) === originator) return true;
    } catch {
      /* not an entity ID: maybe a resource ID or structured name */
    }
    const r = await this.resolveTarget(nu).catch(() => undefined);
    const entity = (r?.aei as string | undefined) ?? (r?.csi as string | undefined);
    if (!entity) return false;
    try {
      return toSpRelativeOriginator(parseOriginator(entity), this.idContext) === originator;
    } catch {
      return false;
    }
  }

  /** Points of access for a notification target: a URL as is, an AE or CSE ID through its poa. */
  async pointsOfAccess(nu: string): Promise<string[]> {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(nu)) return [nu];
    const target = await this.resolveTarget(nu);
    return Array.isArray(target?.poa) ? (target.poa as string[]) : [];
  }

  /**
   * Sends through the target policy; every refusal or delivery failure becomes the same 5103 text (no SSRF
   * or port oracle), the reason going to the server log only.
   */
  async send(nu: string, pc: Record<string, unknown>, ec?: number): Promise<ResponsePrimitive> {
    try {
      return await this.sendUnchecked(nu, pc, ec);
    } catch (e) {
      const reason = e instanceof TargetRefused ? e.reason : (e as Error).message;
      this.log.warn({ nu, reason: String(reason).slice(0, 200) }, 'notification target not reached');
      throw targetNotReachable();
    }
  }

  private async sendUnchecked(nu: string, pc: Record<string, unknown>, ec?: number): Promise<ResponsePrimitive> {
    // TS-0004 7.5.1.2.2 Step 2.5: a serialization indication 'ct=...' after '?' is removed from the target.
    const target = nu.replace(/([?&])ct=(json|xml|cbor)(&|$)/, (_m, a, _t, b) => (b ? a : '')).replace(/[?&]$/, '');
    const poas = await this.pointsOfAccess(target);
    const req: RequestPrimitive = {
      op: Operation.NOTIFY,
      to: target,
      fr: this.config.cseId,
      rqi: newResourceId('ntf'),
      rvi: '3',
      pc,
      ...(ec !== undefined ? { ec } : {}),
    };
    if (poas.length === 0) {
      const polled = await this.viaPollingChannel?.(target, req, this.config.requestTimeoutMs);
      if (polled) return polled;
      throw new M2MError(ResponseStatusCode.TARGET_NOT_REACHABLE, `notification target '${nu}' has no point of access`);
    }
    let last: unknown;
    for (const poa of poas) {
      const sender = this.senders.get(poa.slice(0, poa.indexOf(':')).toLowerCase());
      if (!sender) {
        last = new M2MError(ResponseStatusCode.TARGET_NOT_REACHABLE, `no binding for point of access '${poa}'`);
        continue;
      }
      try {
        // `to` stays the notification target (a URL or an AE/CSE ID): an MQTT point of access names
        // only the broker, the binding routes by the ID; HTTP sends a NOTIFY to the poa as given.
        const admitted = await this.targets.admit(poa);
        const timeoutMs = this.config.requestTimeoutMs;
        if (admitted === undefined) return await sender.send(poa, req, { timeoutMs });
        return await this.targets.run(admitted.key, () =>
          sender.send(poa, req, { timeoutMs, connectAddress: admitted.connectAddress }),
        );
      } catch (e) {
        last = e;
      }
    }
    throw last;
  }

  /** subscriptionReference (sur): the SP-relative structured ID of the <subscription>. */
  subscriptionReference(sub: StoredResource): string {
    return `${this.config.cseId}/${sub.srn}`;
  }

  /**
   * Verification request (vrq) to each nu that is not the originator; any failure refuses the
   * subscription with 5204 (7.4.8.2.1 a, b). The creator element is the originator's SP-relative ID,
   * which the target can evaluate whichever CSE it is on.
   */
  async verify(sub: StoredResource, nus: readonly string[], originator: string): Promise<void> {
    for (const nu of nus) {
      if (await this.isOriginator(nu, originator)) continue;
      let rsp: ResponsePrimitive;
      try {
        rsp = await this.send(nu, { 'm2m:sgn': { vrq: true, sur: this.subscriptionReference(sub), cr: originator } });
      } catch {
        throw new M2MError(
          ResponseStatusCode.SUBSCRIPTION_VERIFICATION_INITIATION_FAILED,
          `verification request to '${nu}' failed: ${TARGET_NOT_REACHABLE_TEXT}`,
        );
      }
      if (!isSuccess(rsp.rsc)) {
        throw new M2MError(
          ResponseStatusCode.SUBSCRIPTION_VERIFICATION_INITIATION_FAILED,
          `notification target '${nu}' refused verification with ${rsp.rsc}`,
        );
      }
    }
  }

  /** Sends an event to the subscriptions of `subject`; runs after commit, failures are logged. */
  async event(subject: StoredResource, net: number, resource: StoredResource, modified?: string[]): Promise<void> {
    const subs = await this.store.resources.children(subject.ri, { ty: [23] });
    // A new subscription is a new child too; it is not told about its own creation.
    await this.notifySubscriptions(
      subs.filter((s) => s.ri !== resource.ri),
      net,
      resource,
      modified,
    );
  }

  /** The notification's representation per notificationContentType (7.5.1.2.2 Step 2.1). */
  private representation(
    sub: StoredResource,
    resource: StoredResource,
    modified: Record<string, unknown> | undefined,
  ): unknown {
    const nct = (sub.nct as number) ?? NotificationContentType.allAttributes;
    if (nct === NotificationContentType.resourceId) return resource.ri;
    if (nct === NotificationContentType.modifiedAttributes && modified) return { [rootNameFor(resource.ty)]: modified };
    return this.render(resource);
  }

  /** Sends an event to the given subscriptions (also used for subscriptions already deleted). */
  async notifySubscriptions(
    subs: StoredResource[],
    net: number,
    resource: StoredResource,
    modified?: string[],
  ): Promise<void> {
    for (const sub of subs) {
      const enc = sub.enc as EventNotificationCriteria | undefined;
      if (net === NotificationEventType.blockingUpdate || !matches(enc, net, resource, modified)) continue;
      // TS-0001 9.6.9: a <schedule> child limits when the subscription's notifications may be sent.
      if (net !== NotificationEventType.delete && !(await inNotificationSchedule(this.store, sub, new Date())))
        continue;
      const changed = modified ? Object.fromEntries(modified.map((k) => [k, resource[k] ?? null])) : undefined;
      const sgn = {
        nev: { rep: this.representation(sub, resource, changed), net },
        sur: this.subscriptionReference(sub),
      };
      this.dispatch(sub, sgn, net !== NotificationEventType.delete);
    }
  }

  /** An event whose representation the caller built (e.g. m2m:tsn of missing data, TS-0004 7.5.1.2.9). */
  async notifyRepresentation(sub: StoredResource, net: number, rep: Record<string, unknown>): Promise<void> {
    if (!(await inNotificationSchedule(this.store, sub, new Date()))) return;
    this.dispatch(sub, { nev: { rep, net }, sur: this.subscriptionReference(sub) }, true);
  }

  /** Immediately or into the subscription's batch (TS-0001 10.2.10.7). */
  private dispatch(sub: StoredResource, sgn: Record<string, unknown>, count: boolean): void {
    const bn = sub.bn as { num?: number; dur?: string } | undefined;
    if (!bn || !count) {
      this.deliver(sub, { 'm2m:sgn': sgn }, count);
      return;
    }
    let batch = this.batches.get(sub.ri);
    if (!batch) {
      const ms = parseDuration(bn.dur ?? `PT${this.config.batchNotifyDefaultDurationSeconds}S`, 'batchNotify/dur');
      batch = { sub, items: [], timer: setTimeout(() => this.flush(sub.ri), ms) };
      batch.timer.unref();
      this.batches.set(sub.ri, batch);
    }
    batch.sub = sub;
    batch.items.push(sgn);
    if (bn.num !== undefined && batch.items.length >= bn.num) this.flush(sub.ri);
  }

  private flush(ri: string): void {
    const batch = this.batches.get(ri);
    if (!batch) return;
    clearTimeout(batch.timer);
    this.batches.delete(ri);
    // batchNotify with latestNotify: only the latest notification of the batch (TS-0001 9.6.8).
    const items = batch.sub.ln === true ? batch.items.slice(-1) : batch.items;
    this.deliver(batch.sub, { 'm2m:agn': { 'm2m:sgn': items } }, true);
  }

  /**
   * Notifications not sent yet: those waiting for a slot of their target (docs/hardening.md) and those
   * held in a batch until its size or duration is reached (batchNotify, TS-0004 7.4.8.2.1).
   */
  get queueDepth(): number {
    let held = 0;
    for (const b of this.batches.values()) held += b.items.length;
    return this.targets.queued + held;
  }

  /** Drops what is pending for a deleted subscription (7.4.8.2.4 Recv-6.5). */
  forget(ri: string): void {
    this.rateLimiter.forget(ri);
    const batch = this.batches.get(ri);
    if (batch) clearTimeout(batch.timer);
    this.batches.delete(ri);
  }

  private eventCategory(sub: StoredResource): number | undefined {
    if (sub.ln === true) return EVENT_CATEGORY_LATEST; // 7.5.1.2.2 Step 2.3
    return typeof sub.nec === 'number' ? sub.nec : undefined; // Step 2.2
  }

  private deliver(sub: StoredResource, pc: Record<string, unknown>, count: boolean): void {
    const rl = sub.rl as { mnn?: number; tww?: string } | undefined;
    if (rl && count) this.rateLimiter.submit(sub.ri, rl, () => this.deliverNow(sub, pc, count));
    else this.deliverNow(sub, pc, count);
  }

  private deliverNow(sub: StoredResource, pc: Record<string, unknown>, count: boolean): void {
    const ec = this.eventCategory(sub);
    const sends = (sub.nu as string[]).map((nu) =>
      this.send(nu, pc, ec).then(
        (rsp) => isSuccess(rsp.rsc),
        (e) => {
          this.log.warn({ nu, rsc: (e as M2MError).rsc }, `notification failed: ${(e as Error).message}`);
          return false;
        },
      ),
    );
    if (!count || typeof sub.exc !== 'number') return;
    Promise.all(sends)
      .then((ok) => (ok.some(Boolean) ? this.countDown(sub.ri) : undefined))
      .catch((e) => this.log.warn({}, `expirationCounter: ${(e as Error).message}`));
  }

  /** expirationCounter (exc): decreased per Notify sent; at 0 the subscription is deleted (Step 5.0). */
  private countDown(ri: string): Promise<void> {
    const next = (this.counting.get(ri) ?? Promise.resolve()).then(async () => {
      const sub = await this.store.resources.get(ri);
      if (!sub || typeof sub.exc !== 'number') return;
      if (sub.exc <= 1) await this.hooks.expire(sub);
      else await this.store.resources.update({ ...sub, exc: sub.exc - 1 });
    });
    const tail = next.catch(() => undefined);
    this.counting.set(ri, tail);
    void tail.then(() => {
      if (this.counting.get(ri) === tail) this.counting.delete(ri);
    });
    return next;
  }

  /** Deletion notice (sud) to the subscriberURI, if the subscription has one (7.5.1.2.4). */
  async deleted(sub: StoredResource): Promise<void> {
    this.forget(sub.ri);
    if (typeof sub.su !== 'string') return;
    await this.send(sub.su, { 'm2m:sgn': { sud: true, sur: this.subscriptionReference(sub) } }).catch((e) =>
      this.log.warn({ nu: sub.su }, `deletion notice failed: ${(e as Error).message}`),
    );
  }

  /**
   * Blocking_Update (7.5.1.2.19, 7.3.2.9): before an UPDATE of `subject` is performed, its blocking
   * subscription is notified with the requested changes and must answer with success.
   */
  async blockingUpdate(subject: StoredResource, changes: Record<string, unknown>): Promise<void> {
    const subs = await this.store.resources.children(subject.ri, { ty: [23] });
    for (const sub of subs) {
      const enc = sub.enc as EventNotificationCriteria | undefined;
      if (!eventTypes(enc).includes(NotificationEventType.blockingUpdate)) continue;
      if (!matches(enc, NotificationEventType.blockingUpdate, subject, Object.keys(changes))) continue;
      const sgn = {
        nev: { rep: { [rootNameFor(subject.ty)]: changes }, net: NotificationEventType.blockingUpdate },
        sur: this.subscriptionReference(sub),
      };
      let rsp: ResponsePrimitive;
      try {
        rsp = await this.send((sub.nu as string[])[0]!, { 'm2m:sgn': sgn }, this.eventCategory(sub));
      } catch (e) {
        throw new M2MError(
          ResponseStatusCode.REMOTE_ENTITY_NOT_REACHABLE,
          `the blocking subscription's notification target is not reachable: ${(e as Error).message}`,
        );
      }
      if (rsp.rsc === ResponseStatusCode.TARGET_NOT_REACHABLE)
        throw new M2MError(
          ResponseStatusCode.REMOTE_ENTITY_NOT_REACHABLE,
          'the blocking notification target is not reachable',
        );
      if (!isSuccess(rsp.rsc))
        throw new M2MError(
          ResponseStatusCode.OPERATION_DENIED_BY_REMOTE_ENTITY,
          `the blocking subscription's notification target refused the update (${rsp.rsc})`,
        );
      if (typeof sub.exc === 'number') await this.countDown(sub.ri);
    }
  }
}
