// The CSE core: one request's way (DESIGN.md section 2) below the binding — validate, identify,
// authenticate, locate, authorize, execute — with every failure a oneM2M status and message.
import { type AuthenticationInput, type AuthenticationResult, authenticateRequest } from '@m2msec/authentication';
import { AccessDecisionEngine, type AccessExplanation } from '@m2msec/authorization';
import { type CompiledAppRule, compileAppRule, type ServiceSubscribedAppRule } from '@m2msec/identification';
import {
  clientErrorOf,
  errorLogFields,
  type HandlerResponse,
  isLocalTarget,
  M2MError,
  Operation,
  parseOriginator,
  parseTarget,
  type RequestPrimitive,
  type RequestSender,
  ResourceType,
  ResponseStatusCode,
  type TransportContext,
  toSpRelativeOriginator,
  validateRequest,
} from '@m2msec/protocol';
import type { Store, StoredResource } from '@m2msec/store';
import { monotonicTimestamp } from './clock.js';
import { type CseConfig, defaultCseConfig } from './config.js';
import type { Core } from './core.js';
import { type Logger, silentLogger } from './logger.js';
import { migrateAcpiToResourceIds } from './migrations/acpi-resource-ids.js';
import { Notifier } from './notifications/notifier.js';
import { create } from './operations/create.js';
import { del, deleteResource } from './operations/delete.js';
import { type ExplainQuery, explainAccess } from './operations/explain-access.js';
import { NonBlockingRequests } from './operations/non-blocking.js';
import { notify } from './operations/notify.js';
import { retrieve } from './operations/retrieve.js';
import { update } from './operations/update.js';
import { type AuthorizationOptions, AuthorizationServices } from './pipeline/authorization-services.js';
import { identify, peerOf } from './pipeline/identify.js';
import { cseDecisionPoint } from './pipeline/policy-information.js';
import { relayingCse } from './pipeline/relayed-originator.js';
import { representation } from './pipeline/result.js';
import type { RequestContext } from './request-context.js';
import { accessControlPolicyHandler } from './resources/access-control-policy.js';
import { aeHandler } from './resources/ae.js';
import { announcedHandlers } from './resources/announced.js';
import { containerHandler, contentInstanceHandler, enforceContainerQuota } from './resources/container.js';
import { cseBaseHandler } from './resources/csebase.js';
import { dynamicAuthorizationConsultationHandler } from './resources/dynamic-authorization-consultation.js';
import { flexContainerHandler } from './resources/flex-container.js';
import { groupHandler } from './resources/group.js';
import type { ResourceTypeHandler } from './resources/handler.js';
import { LocationPositioning, locationPolicyHandler, type PositioningModule } from './resources/location-policy.js';
import { locationPolicySource } from './resources/location-source.js';
import { mgmtObjHandler } from './resources/mgmt-obj.js';
import { MissingDataMonitor } from './resources/missing-data.js';
import { nodeHandler } from './resources/node.js';
import { withNodeLinkCheck } from './resources/node-link.js';
import { pollingChannelDelivery, pollingChannelHandler } from './resources/polling-channel.js';
import { PollingChannelQueues } from './resources/polling-channel-queues.js';
import { remoteCseHandler } from './resources/remote-cse.js';
import { requestHandler } from './resources/request.js';
import { roleHandler } from './resources/role.js';
import { scheduleHandler } from './resources/schedule.js';
import { subscriptionHandler } from './resources/subscription.js';
import { timeSeriesHandler } from './resources/time-series.js';
import { timeSeriesInstanceHandler } from './resources/time-series-instance.js';
import { tokenHandler } from './resources/token.js';
import { descendantCseIds } from './retarget/descendants.js';
import { type RegistrarRecord, recordRegistrar } from './retarget/registrar.js';
import { Retargeter } from './retarget/retargeter.js';

export interface CseOptions {
  config?: Partial<CseConfig>;
  store: Store;
  /** Outgoing request senders by URL scheme (notifications; forwarding too unless retargetSenders is set). */
  senders?: RequestSender[];
  /**
   * Senders for forwarding to other CSEs over Mcc (TS-0004 7.3.2.6), e.g. an HttpRequestSender whose
   * https agent carries this CSE's SAEF credential. Default: `senders`.
   */
  retargetSenders?: RequestSender[];
  /**
   * Senders for one next hop, when each remote CSE needs its own credential (e.g. a certificate agent
   * whose SNI / expected name is that CSE's); undefined falls back to `retargetSenders`.
   */
  retargetSendersFor?: (cseId: string) => readonly RequestSender[] | undefined;
  log?: Logger;
  /** Registration rules (TS-0001 9.6.29); without any, every AE registration is refused with 4126. */
  appRules?: ServiceSubscribedAppRule[];
  /** The authentication step; the default applies the TS-0004 7.3.2.1 receiver rules. */
  authenticate?: (input: AuthenticationInput) => Promise<AuthenticationResult>;
  /**
   * End-to-end originator verification (TS-0003 7.2.2): true when protection applied end to end (ESPrim,
   * e.g. `esprimVerifiedOriginator` of @m2msec/esprim) proved `originator` on this request. It sets rq_authn
   * for requests relayed by other CSEs, which the hop-by-hop rules never authenticate. Default: never.
   */
  endToEndAuthenticated?: (originator: string, transport: TransportContext) => boolean;
  /** Location source, token issuers and keys, role issuers, dynamic authorization (TS-0003 7.1.2 - 7.4). */
  authorization?: AuthorizationOptions;
  /**
   * Runs before an <AE> is deleted (DELETE or expiry) with its AE-ID, e.g. to unbind it from
   * credentials and end their associations; a failure fails the deletion (nothing is deleted).
   */
  onAeDeregistration?: (aei: string) => Promise<void>;
  /**
   * Whether a request with this SP-relative originator over this transport has the system's fixed
   * privileges (TS-0001 10.2.3). Programs that serve a network wire @m2msec/administration's
   * Administrators (a principal bound to a credential the association proved, TS-0003 6.2.3).
   * Default: From is one of config.adminOriginators on a transport without a security association —
   * for in-process embedding and tests only, never for a listener others can reach.
   */
  isAdministrator?: (originator: string, transport: TransportContext) => boolean;
  /**
   * IDs no AE may register as, besides config.adminOriginators, this CSE's CSE-ID and its
   * registrar's (e.g. further administrators' originators).
   */
  reservedIds?: readonly string[];
  /** This CSE's location determination module, for device based <locationPolicy> (TS-0004 7.4.10). */
  positioning?: PositioningModule;
}

export class Cse {
  readonly config: CseConfig;
  private readonly core: Core;
  private readonly admins: Set<string>;
  private readonly isAdministrator: NonNullable<CseOptions['isAdministrator']>;
  private readonly authenticate: NonNullable<CseOptions['authenticate']>;
  private readonly endToEndAuthenticated: NonNullable<CseOptions['endToEndAuthenticated']>;
  private readonly retargeter: Retargeter;
  private readonly missingData: MissingDataMonitor;
  private readonly positioning: LocationPositioning;
  private readonly nonBlocking: NonBlockingRequests;
  private sweepTimer: NodeJS.Timeout | undefined;

  private constructor(opts: CseOptions) {
    this.config = { ...defaultCseConfig, ...opts.config };
    const idContext = { spId: this.config.spId, cseId: this.config.cseId };
    const log = opts.log ?? silentLogger;
    const rules: CompiledAppRule[] = (opts.appRules ?? []).map(compileAppRule);
    const spRelative = (id: string) => toSpRelativeOriginator(parseOriginator(id), idContext);
    this.admins = new Set([...this.config.adminOriginators, ...(opts.reservedIds ?? [])].map(spRelative));
    const reserved = new Set([
      ...this.admins,
      this.config.cseId,
      ...(this.config.registrarCseId ? [this.config.registrarCseId] : []),
    ]);
    const handlers = new Map<number, ResourceTypeHandler>();
    const registrar = { ...idContext, cseType: (['IN', 'MN', 'ASN'] as const)[this.config.cseType - 1]! };
    const notifier = new Notifier(this.config, opts.store, opts.senders ?? [], log, representation);
    const pollingChannels = new PollingChannelQueues();
    notifier.viaPollingChannel = pollingChannelDelivery(this.config.cseId, opts.store, pollingChannels);
    this.missingData = new MissingDataMonitor(() => this.core);
    this.positioning = new LocationPositioning(() => this.core, opts.positioning);
    const cseId = this.config.cseId;
    for (const h of [
      cseBaseHandler,
      withNodeLinkCheck(
        aeHandler(
          registrar,
          () => rules,
          (aeId) => reserved.has(aeId),
        ),
        cseId,
      ),
      containerHandler,
      { ...contentInstanceHandler, afterCreate: countInstance },
      accessControlPolicyHandler(idContext),
      roleHandler(idContext),
      tokenHandler,
      dynamicAuthorizationConsultationHandler,
      withNodeLinkCheck(remoteCseHandler, cseId),
      groupHandler(this.config.cseId),
      subscriptionHandler(
        () => notifier,
        (ty, parentTy) => handlers.get(ty)?.parents.includes(parentTy) ?? false,
        () => this.config.batchNotifyDefaultDurationSeconds,
      ),
      nodeHandler,
      mgmtObjHandler,
      withNodeLinkCheck(flexContainerHandler, cseId),
      timeSeriesHandler(this.missingData),
      timeSeriesInstanceHandler(this.missingData),
      pollingChannelHandler(idContext, pollingChannels),
      scheduleHandler,
      locationPolicyHandler(this.positioning, cseId),
      requestHandler,
      ...announcedHandlers,
    ]) {
      handlers.set(h.ty, h);
    }
    const engine = new AccessDecisionEngine(idContext);
    const authz = new AuthorizationServices(
      {
        ...opts.authorization,
        // rq_loc also from device based <locationPolicy> fixes (TS-0004 7.4.10).
        locationSource: locationPolicySource(() => this.core, opts.authorization?.locationSource),
      },
      idContext,
      opts.senders ?? [],
    );
    this.core = {
      config: this.config,
      idContext,
      store: opts.store,
      handlers,
      engine,
      notifier,
      authz,
      pdp: cseDecisionPoint(() => this.core, { idContext, engine, authz }),
      log,
      pollingChannels,
      cseBaseRi: this.config.cseId.slice(1),
      registreeCseIds: new Set(),
      dispatch: (ctx) => this.execute(ctx),
      sendToCse: (cseId, req) => this.retargeter.sendTo(cseId, req),
      registreesChanged: () => void this.retargeter.syncDescendants(),
      ...(opts.onAeDeregistration ? { onAeDeregistration: opts.onAeDeregistration } : {}),
      updateLocks: new Map(),
    };
    // expirationCounter reached 0: the subscription is deleted like any other (deletion notice included).
    notifier.hooks = { expire: async (sub) => void (await deleteResource(this.core, sub)) };
    // Legacy in-process default: From names an administrator and no association says otherwise.
    this.isAdministrator =
      opts.isAdministrator ?? ((originator, transport) => this.admins.has(originator) && !transport.association);
    this.authenticate = opts.authenticate ?? authenticateRequest;
    this.endToEndAuthenticated = opts.endToEndAuthenticated ?? (() => false);
    this.retargeter = new Retargeter(this.core, opts.retargetSenders ?? opts.senders ?? [], opts.retargetSendersFor);
    this.nonBlocking = new NonBlockingRequests(this.core, (ctx) => this.execute(ctx));
  }

  /** Notifications not sent yet (the operations listener's m2msec_notification_queue_depth). */
  get notificationQueueDepth(): number {
    return this.core.notifier.queueDepth;
  }

  /** Opens the CSE on a store, creating the <CSEBase> on first start. */
  static async open(opts: CseOptions): Promise<Cse> {
    const cse = new Cse(opts);
    await cse.ensureCseBase();
    await migrateAcpiToResourceIds(cse.core);
    await cse.positioning.resume();
    await cse.missingData.resume(cse.core.cseBaseRi);
    await cse.nonBlocking.failInterrupted();
    for (const csr of await opts.store.resources.children(cse.core.cseBaseRi, { ty: [ResourceType.remoteCSE] })) {
      if (csr.csi !== cse.config.registrarCseId) cse.core.registreeCseIds.add(csr.csi as string);
    }
    return cse;
  }

  private async ensureCseBase(): Promise<void> {
    const { store, cseBaseRi, config } = this.core;
    const existing = await store.resources.get(cseBaseRi);
    const now = monotonicTimestamp(new Date());
    const base: StoredResource = {
      ri: cseBaseRi,
      pi: '',
      rn: config.cseBaseName,
      ty: ResourceType.CSEBase,
      srn: config.cseBaseName,
      ct: existing?.ct ?? now,
      lt: existing?.lt ?? now,
      csi: config.cseId,
      cst: config.cseType,
      srt: [...this.core.handlers.keys()],
      poa: config.poa,
      srv: config.supportedReleaseVersions,
      ...(config.e2eSecInfo ? { esi: config.e2eSecInfo } : {}),
      ...(existing?.acpi ? { acpi: existing.acpi } : {}),
    };
    if (!existing) await store.resources.create(base);
    else if (existing.rn !== config.cseBaseName) {
      throw new Error(`store holds CSEBase '${existing.rn}', configuration says '${config.cseBaseName}'`);
    } else await store.resources.update(base);
  }

  /** The RequestHandler a binding calls. */
  readonly handle = async (raw: unknown, transport: TransportContext): Promise<HandlerResponse> => {
    const rqi = typeof (raw as { rqi?: unknown })?.rqi === 'string' ? (raw as { rqi: string }).rqi : '';
    try {
      // Only the releases this CSE implements (its srv); any other rvi is 4001 (TS-0004 7.3.2.1).
      const req = validateRequest(raw, { releaseVersions: this.config.supportedReleaseVersions });
      const identified = identify(this.core, req, transport);
      const from = identified.kind === 'unassigned-ae' ? undefined : identified.originator;
      const originator = identified.id;
      const peer = peerOf(transport);
      const target = parseTarget(req.to);
      const local = isLocalTarget(target, this.core.idContext);
      if (!local) this.retargeter.checkLoop(originator, req.rqi, req.to);
      const relayedBy = await relayingCse({
        op: req.op,
        ty: req.ty,
        identified,
        transport,
        isRegisteredAe: (id) => this.isRegisteredAe(id),
      });
      // A relayed originator never has the fixed admin privileges of this CSE.
      const admin = relayedBy === undefined && this.isAdministrator(originator, transport);
      // An administrator's originator without the administrator's credential is an impersonation
      // (TS-0004 7.3.2.1: From does not match an identity the Registree is allowed; TS-0003 7.2.1).
      // CREATE <AE> goes on to the registration gate, which refuses a reserved AE-ID with 4126.
      if (!admin && this.admins.has(originator) && !(req.op === Operation.CREATE && req.ty === ResourceType.AE)) {
        throw new M2MError(
          ResponseStatusCode.ORIGINATOR_NOT_AUTHENTICATED,
          `originator '${originator}' is reserved for an administrator and this request did not come over an association that proved an administrator's credential`,
        );
      }
      if (!local) {
        // Transit: the originator is authenticated here (TS-0003 7.2.1), access is the hosting CSE's call.
        if (relayedBy === undefined) await this.authenticateOriginator(req, from, originator, transport, admin);
        const rsp = await this.retargeter.forward({
          req,
          target,
          originator,
          fromCseId: peer.kind === 'cse' ? peer.cseId : undefined,
        });
        return { ...rsp, rvi: rsp.rvi ?? req.rvi };
      }
      const authenticated =
        (relayedBy === undefined && (await this.authenticateOriginator(req, from, originator, transport, admin))) ||
        this.endToEndAuthenticated(originator, transport);
      const ctx: RequestContext = {
        req,
        transport,
        from,
        originator,
        authenticated,
        admin,
        now: new Date(),
        store: this.core.store,
      };
      // Non-blocking requests (TS-0004 7.3.2.2) are acknowledged now and executed later.
      const rsp = NonBlockingRequests.applies(req) ? await this.nonBlocking.accept(ctx) : await this.execute(ctx);
      const ati = (await ctx.access?.state?.catch(() => undefined))?.assigned;
      return { ...rsp, rvi: req.rvi, ...(ati?.length ? { ati } : {}) };
    } catch (e) {
      return this.failure(rqi, e);
    }
  };

  /**
   * The decision explainer (operations/explain-access.ts): would `from` be allowed `op` on `to` now, and by
   * which rule? For an administrator surface only: it reveals policies.
   */
  explainAccess(q: ExplainQuery): Promise<AccessExplanation & { target: string }> {
    return explainAccess(this.core, q, (id) => this.admins.has(id));
  }

  /** rq_authn from the configured authentication step (TS-0004 7.3.2.1 receiver rules). */
  private async authenticateOriginator(
    req: RequestPrimitive,
    from: RequestContext['from'],
    originator: string,
    transport: TransportContext,
    admin: boolean,
  ): Promise<boolean> {
    const { authenticated } = await this.authenticate({
      op: req.op,
      ty: req.ty,
      from,
      originator,
      transport,
      admin,
      isRegisteredAe: (id) => this.isRegisteredAe(id),
      allowCseWithoutAssociation: this.config.allowCseWithoutAssociation,
    });
    return authenticated;
  }

  /**
   * Any failure as a response primitive (docs/errors.md): an M2msecError keeps its rsc and message; anything
   * else is 5000 with a fixed text, and one log line carries its code and an escaped one-line cause, never
   * the stack or the request (the error's own message may quote either).
   */
  private failure(rqi: string, e: unknown): HandlerResponse {
    const c = clientErrorOf(e);
    if (c.internal) this.core.log.error({ rqi, ...errorLogFields(e) }, 'request failed with an unexpected error');
    return { rsc: c.rsc, rqi, dbg: c.message };
  }

  private async execute(ctx: RequestContext): Promise<HandlerResponse> {
    try {
      switch (ctx.req.op) {
        case Operation.CREATE:
          return await create(this.core, ctx);
        case Operation.RETRIEVE:
          return await retrieve(this.core, ctx);
        case Operation.UPDATE:
          return await update(this.core, ctx);
        case Operation.DELETE:
          return await del(this.core, ctx);
        case Operation.NOTIFY:
          return await notify(this.core, ctx);
        default:
          throw new M2MError(
            ResponseStatusCode.OPERATION_NOT_ALLOWED,
            `operation ${ctx.req.op} is not supported on this target`,
          );
      }
    } catch (e) {
      return this.failure(ctx.req.rqi, e);
    }
  }

  private async isRegisteredAe(aeId: string): Promise<boolean> {
    const stem = aeId.startsWith(`${this.config.cseId}/`)
      ? aeId.slice(this.config.cseId.length + 1)
      : aeId.startsWith('/S')
        ? aeId.slice(1)
        : undefined;
    if (!stem) return false;
    const ae = await this.core.store.resources.get(stem);
    return ae?.ty === ResourceType.AE;
  }

  /**
   * Keeps the <remoteCSE> of this CSE's registrar (TS-0001 10.2.2.7 step 004), created or refreshed
   * after the registrar accepted this CSE's registration; requests it does not host go there.
   */
  async recordRegistrar(r: RegistrarRecord): Promise<void> {
    await recordRegistrar(this.core, r);
  }

  /** CSE-IDs of the CSEs registered here and their declared descendants (descendantCSEs for the registrar). */
  descendantCseIds(): Promise<string[]> {
    return descendantCseIds(this.core);
  }

  /** Sends the current descendantCSEs to the registrar (after any update already queued); resolves when done. */
  syncDescendants(): Promise<void> {
    return this.retargeter.syncDescendants();
  }

  /** Deletes expired resources (TS-0001 expirationTime); returns how many were removed. */
  async sweepExpired(now = new Date()): Promise<number> {
    const expired = await this.core.store.resources.expired(monotonicTimestamp(now), 100);
    let n = 0;
    for (const r of expired) {
      if (!(await this.core.store.resources.get(r.ri))) continue; // gone with an expired ancestor
      n += (await deleteResource(this.core, r)).length;
    }
    return n;
  }

  /** Deletes every resource below the <CSEBase> (upper tester Reset). */
  async reset(): Promise<void> {
    for (const child of await this.core.store.resources.children(this.core.cseBaseRi))
      await deleteResource(this.core, child);
  }

  start(): void {
    if (this.config.expirySweepMs > 0 && !this.sweepTimer) {
      this.sweepTimer = setInterval(() => {
        this.sweepExpired().catch((e) => this.core.log.warn({}, `expiry sweep: ${e.message}`));
      }, this.config.expirySweepMs);
      this.sweepTimer.unref();
    }
  }

  async stop(): Promise<void> {
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    this.missingData.close();
    this.positioning.close();
    this.sweepTimer = undefined;
    await this.nonBlocking.stop();
  }
}

/** After a <contentInstance> insert: container counters and state tag, then quota eviction. */
async function countInstance({
  ctx,
  parent,
  resource,
}: Parameters<NonNullable<ResourceTypeHandler['afterCreate']>>[0]): Promise<void> {
  const cnt = {
    ...parent,
    cni: (parent.cni as number) + 1,
    cbs: (parent.cbs as number) + (resource.cs as number),
    st: ((parent.st as number) ?? 0) + 1,
  };
  await enforceContainerQuota(ctx, cnt);
  await ctx.store.resources.update(cnt);
}
