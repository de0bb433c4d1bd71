// Notifications of <subscription> (TS-0004 7.4.8, 7.5.1.2.x): verification request on create,
// event notifications (m2m:sgn) and deletion notices, sent through the RequestSender of the nu's scheme.
import {
  isSuccess,
  M2MError,
  Operation,
  type RequestPrimitive,
  type RequestSender,
  type ResponsePrimitive,
  ResponseStatusCode,
} from '@m2msec/protocol';
import type { Store, StoredResource } from '@m2msec/store';
import type { CseConfig } from '../config.js';
import { newResourceId } from '../ids.js';
import type { Logger } from '../logger.js';

export const NotificationEventType = { update: 1, delete: 2, createChild: 3, deleteChild: 4 } as const;

export class Notifier {
  private readonly senders = new Map<string, RequestSender>();
  constructor(
    private readonly config: CseConfig,
    private readonly store: Pick<Store, 'resources'>,
    senders: readonly RequestSender[],
    private readonly log: Logger,
    private readonly render: (r: StoredResource) => Record<string, unknown>,
  ) {
    for (const s of senders) for (const scheme of s.schemes) this.senders.set(scheme, s);
  }

  /** Points of access for a notification target: a URL as is, an AE or CSE ID through its poa. */
  async pointsOfAccess(nu: string): Promise<string[]> {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(nu)) return [nu];
    let id = nu;
    if (id.startsWith(`${this.config.cseId}/`)) id = id.slice(this.config.cseId.length + 1);
    else if (id.startsWith('/')) id = id.slice(1); // '/Sxyz' or '/id-mn'
    const target = id.includes('/') ? await this.store.resources.getBySrn(id) : await this.store.resources.get(id);
    return Array.isArray(target?.poa) ? (target.poa as string[]) : [];
  }

  /** Sends a NOTIFY with content `pc` to a notification target (also the results of non-blocking requests). */
  async send(nu: string, pc: Record<string, unknown>): Promise<ResponsePrimitive> {
    const poas = await this.pointsOfAccess(nu);
    if (poas.length === 0)
      throw new M2MError(ResponseStatusCode.TARGET_NOT_REACHABLE, `notification target '${nu}' has no point of access`);
    const req: RequestPrimitive = {
      op: Operation.NOTIFY,
      to: nu,
      fr: this.config.cseId,
      rqi: newResourceId('ntf'),
      rvi: '3',
      pc,
    };
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
        return await sender.send(poa, req, { timeoutMs: this.config.requestTimeoutMs });
      } catch (e) {
        last = e;
      }
    }
    throw last;
  }

  private subscriptionReference(sub: StoredResource): string {
    return `${this.config.cseId}/${sub.srn}`;
  }

  /** Verification request (vrq) to each nu; any failure refuses the subscription with 5204. */
  async verify(sub: StoredResource, creator: string): Promise<void> {
    for (const nu of sub.nu as string[]) {
      if (nu === creator) continue; // the subscriber itself need not be asked (TS-0004 7.4.8.2.1)
      let rsp: ResponsePrimitive;
      try {
        rsp = await this.send(nu, { 'm2m:sgn': { vrq: true, sur: this.subscriptionReference(sub), cr: creator } });
      } catch (e) {
        throw new M2MError(
          ResponseStatusCode.SUBSCRIPTION_VERIFICATION_INITIATION_FAILED,
          `verification request to '${nu}' failed: ${(e as Error).message}`,
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
  async event(subject: StoredResource, net: number, representation: StoredResource): Promise<void> {
    const subs = await this.store.resources.children(subject.ri, { ty: [23] });
    // A new subscription is a new child too; it is not told about its own creation.
    await this.notifySubscriptions(
      subs.filter((s) => s.ri !== representation.ri),
      net,
      representation,
    );
  }

  /** Sends an event to the given subscriptions (also used for subscriptions already deleted). */
  async notifySubscriptions(subs: StoredResource[], net: number, representation: StoredResource): Promise<void> {
    for (const sub of subs) {
      const wanted = ((sub.enc as { net?: number[] } | undefined)?.net ?? [NotificationEventType.update]) as number[];
      if (!wanted.includes(net)) continue;
      const nct = (sub.nct as number) ?? 1;
      const rep = nct === 3 ? { 'm2m:uri': representation.ri } : this.render(representation);
      const pc = { 'm2m:sgn': { nev: { rep, net }, sur: this.subscriptionReference(sub) } };
      for (const nu of sub.nu as string[]) {
        this.send(nu, pc).catch((e) =>
          this.log.warn({ nu, rsc: (e as M2MError).rsc }, `notification failed: ${(e as Error).message}`),
        );
      }
      if (net !== NotificationEventType.delete) await this.countDown(sub);
    }
  }

  /** expirationCounter (exc): the subscription is deleted after that many notifications. */
  private async countDown(sub: StoredResource): Promise<void> {
    if (typeof sub.exc !== 'number') return;
    if (sub.exc <= 1) {
      await this.store.resources.delete(sub.ri);
      await this.deleted(sub);
    } else {
      await this.store.resources.update({ ...sub, exc: sub.exc - 1 });
    }
  }

  /** Deletion notice (sud) to the subscriber URI, else the notification targets. */
  async deleted(sub: StoredResource): Promise<void> {
    const targets = typeof sub.su === 'string' ? [sub.su] : ((sub.nu as string[]) ?? []);
    for (const nu of targets) {
      this.send(nu, { 'm2m:sgn': { sud: true, sur: this.subscriptionReference(sub) } }).catch((e) =>
        this.log.warn({ nu }, `deletion notice failed: ${(e as Error).message}`),
      );
    }
  }
}
