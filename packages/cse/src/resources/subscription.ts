// <subscription> (TS-0004 7.4.8.2.1 Create / 7.4.8.2.3 Update, TS-0001 9.6.8): every check of the
// Receiver steps Recv-6.4 / Recv-6.5, then verification of the notification targets that are not the
// originator (7.5.1.2.3) with the resource's own ID in `sur`. Attributes whose procedures this CSE does
// not run are refused with 4000 rather than stored and ignored (docs/conformance.md).
import { M2MError, ResourceType, ResponseStatusCode } from '@m2msec/protocol';
import type { StoredResource } from '@m2msec/store';
import {
  checkCriteria,
  type EventNotificationCriteria,
  eventTypes,
  NotificationEventType,
} from '../notifications/criteria.js';
import { parseDuration } from '../notifications/duration.js';
import type { Notifier } from '../notifications/notifier.js';
import type { RequestContext } from '../request-context.js';
import type { ResourceTypeHandler } from './handler.js';

const bad = (message: string): never => {
  throw new M2MError(ResponseStatusCode.BAD_REQUEST, message);
};

const NET = NotificationEventType;
const TIME_SERIES = 29;

/** TS-0001 Table 9.6.8-4: notificationContentType values valid for each notificationEventType, default first. */
const CONTENT_TYPES: Record<number, number[]> = {
  1: [1, 2, 3],
  2: [1, 3],
  3: [1, 3],
  4: [1, 3],
  5: [1, 3],
  6: [4],
  7: [2],
  8: [5],
};

/** Not supported here: refused (4000), never stored and ignored. */
const REFUSED: Record<string, string> = {
  psn: 'preSubscriptionNotify (psn)',
  nfu: 'notificationForwardingURI (nfu)',
  gpi: 'groupID (gpi)',
  acrs: 'associatedCrossResourceSub (acrs)',
};

/** Resource-specific attributes a Blocking_Update subscription may not carry (7.4.8.2.1 Recv-6.4). */
const NOT_WITH_BLOCKING = ['exc', 'gpi', 'nfu', 'bn', 'rl', 'psn', 'pn', 'nsp', 'ln', 'nct', 'nec', 'su', 'acrs'];

const isUrl = (s: string) => /^[a-z][a-z0-9+.-]*:\/\//i.test(s);

function checkNu(nu: unknown): string[] {
  if (!Array.isArray(nu) || nu.length === 0 || nu.some((u) => typeof u !== 'string' || u === ''))
    bad('notificationURI (nu) must be a non-empty list of URIs or IDs');
  return nu as string[];
}

function checkRefused(attrs: Record<string, unknown>): void {
  for (const [k, name] of Object.entries(REFUSED))
    if (attrs[k] !== undefined && attrs[k] !== null) bad(`${name} is not supported by this CSE (docs/conformance.md)`);
}

function checkBatchNotify(bn: unknown, defaultSeconds: number): Record<string, unknown> | undefined {
  if (bn === undefined || bn === null) return undefined;
  const b = { ...(bn as Record<string, unknown>) };
  // 7.4.8.2.1 Recv-6.5: no duration given -> the service provider's default duration.
  if (b.dur === undefined) b.dur = `PT${defaultSeconds}S`;
  parseDuration(b.dur, 'batchNotify/dur (bn/dur)');
  return b;
}

function checkRateLimit(rl: unknown): void {
  if (rl === undefined || rl === null) return;
  const r = rl as { mnn?: number; tww?: string };
  // TS-0001 10.2.10.7: the policy is the two values together.
  if (r.mnn === undefined || r.tww === undefined) bad('rateLimit (rl) needs maxNrOfNotify (mnn) and timeWindow (tww)');
  parseDuration(r.tww, 'rateLimit/timeWindow (rl/tww)');
}

interface Checked {
  enc?: EventNotificationCriteria;
  net: number[];
}

/** Recv-6.4 checks shared by CREATE and UPDATE, on the resulting subscription `next`. */
function checkEventCriteria(
  next: Record<string, unknown>,
  parent: StoredResource,
  canBeChild: (ty: number, parentTy: number) => boolean,
): Checked {
  const enc = next.enc === undefined || next.enc === null ? undefined : checkCriteria(next.enc);
  const net = eventTypes(enc);
  if (net.includes(NET.retrieveContainerWithNoChild) && parent.ty !== ResourceType.container)
    bad(
      'notificationEventType 5 (Retrieve_of_Container_Resource_With_No_Child_Resource) applies to a <container> only',
    );
  if (net.includes(NET.triggerReceived) && parent.ty !== ResourceType.AE)
    bad('notificationEventType 6 (Trigger_Received_For_AE_Resource) applies to an <AE> only');
  if (net.includes(NET.triggerReceived))
    throw new M2MError(
      ResponseStatusCode.NOT_IMPLEMENTED,
      'notificationEventType 6 (Trigger_Received_For_AE_Resource): this CSE does not receive device triggers',
    );
  if ((net.includes(NET.missingData) || enc?.md !== undefined) && parent.ty !== TIME_SERIES)
    bad('missingData / notificationEventType 8 applies to a <timeSeries> only');
  if (net.includes(NET.missingData) && enc?.md === undefined)
    bad('notificationEventType 8 (Report_on_missing_data_points) needs the missingData (md) condition');
  for (const ty of enc?.chty ?? [])
    if (!canBeChild(ty, parent.ty))
      bad(`childResourceType ${ty} cannot be a child of the subscribed-to resource (type ${parent.ty})`);
  // Table 9.6.8-4: the content type must be valid for every event type.
  if (next.nct === undefined) next.nct = CONTENT_TYPES[net[0]!]![0];
  for (const n of net)
    if (!CONTENT_TYPES[n]!.includes(next.nct as number))
      bad(`notificationContentType ${next.nct} is not valid with notificationEventType ${n} (TS-0001 Table 9.6.8-4)`);
  return { enc, net };
}

export function subscriptionHandler(
  notifier: () => Notifier,
  canBeChild: (ty: number, parentTy: number) => boolean,
  batchNotifyDefaultSeconds: () => number,
): ResourceTypeHandler {
  /** Blocking_Update at creation (7.4.8.2.1 Recv-6.4). */
  async function checkBlocking(
    ctx: RequestContext,
    parent: StoredResource,
    attrs: Record<string, unknown>,
    enc: EventNotificationCriteria,
  ) {
    const nu = attrs.nu as string[];
    if (nu.length !== 1) bad('a Blocking_Update subscription must have exactly one notificationURI');
    for (const k of NOT_WITH_BLOCKING)
      if (attrs[k] !== undefined) bad(`a Blocking_Update subscription cannot carry '${k}'`);
    for (const k of Object.keys(enc))
      if (k !== 'net' && k !== 'atr')
        bad(`a Blocking_Update subscription's criteria may only hold an attribute condition, not '${k}'`);
    if (isUrl(nu[0]!)) bad('the notification target of a Blocking_Update subscription must be a oneM2M resource ID');
    for (const s of await ctx.store.resources.children(parent.ri, { ty: [ResourceType.subscription] }))
      if (eventTypes(s.enc as EventNotificationCriteria | undefined).includes(NET.blockingUpdate))
        throw new M2MError(
          ResponseStatusCode.BLOCKING_SUBSCRIPTION_ALREADY_EXISTS,
          `'${parent.rn}' already has a Blocking_Update subscription`,
        );
  }

  return {
    ty: ResourceType.subscription,
    parents: [
      ResourceType.CSEBase,
      ResourceType.AE,
      ResourceType.container,
      ResourceType.group,
      ResourceType.remoteCSE,
      ResourceType.accessControlPolicy,
      ResourceType.flexContainer,
      ResourceType.node, // TS-0004 Table 7.4.18.1-4
      ResourceType.mgmtObj, // Table 7.4.15.1-3
      ResourceType.timeSeries, // Table 7.4.38.1-4
      ResourceType.schedule, // Table 7.4.9.1-6
      ResourceType.locationPolicy, // Table 7.4.10.1-4
    ],
    hasAcpi: true,
    idPrefix: 'sub',
    async create({ ctx, parent, attrs, resource }) {
      const nu = checkNu(resource.nu);
      checkRefused(attrs);
      const explicitNct = attrs.nct !== undefined;
      const { enc, net } = checkEventCriteria(resource, parent, canBeChild);
      if (net.includes(NET.blockingUpdate)) {
        if (explicitNct) bad("a Blocking_Update subscription cannot carry 'nct'");
        await checkBlocking(ctx, parent, attrs, enc!);
      }
      const bn = checkBatchNotify(attrs.bn, batchNotifyDefaultSeconds());
      if (bn) resource.bn = bn;
      checkRateLimit(attrs.rl);
      // Recv-6.5: a notificationURI that is not the originator -> the originator becomes the creator.
      const sentFrom = ctx.req.fr ?? ctx.originator;
      let others = false;
      for (const u of nu) if (!(await notifier().isOriginator(u, ctx.originator))) others = true;
      if (others && resource.cr === undefined) resource.cr = sentFrom;
      await notifier().verify(resource, nu, ctx.originator);
    },
    async update(ctx, current, changes) {
      checkRefused(changes);
      if ('nu' in changes) checkNu(changes.nu);
      if (changes.enc !== undefined && changes.enc !== null) {
        // 7.4.8.2.3 Recv-6.4: Blocking_Update cannot be set by UPDATE.
        if (eventTypes(checkCriteria(changes.enc)).includes(NET.blockingUpdate))
          bad('notificationEventType Blocking_Update cannot be set by UPDATE');
      }
      const next: Record<string, unknown> = { ...current, ...changes };
      for (const [k, v] of Object.entries(changes)) if (v === null) delete next[k];
      if ('nct' in changes && changes.nct === null) delete next.nct;
      const parent = await ctx.store.resources.get(current.pi);
      const { net } = checkEventCriteria(next, parent ?? current, canBeChild);
      if (net.includes(NET.blockingUpdate)) {
        for (const k of NOT_WITH_BLOCKING)
          if (changes[k] !== undefined && changes[k] !== null)
            bad(`a Blocking_Update subscription cannot carry '${k}'`);
        const nu = next.nu as string[];
        if (nu.length !== 1 || isUrl(nu[0]!))
          bad('a Blocking_Update subscription must have exactly one notificationURI, a oneM2M resource ID');
      }
      if (next.nct !== current.nct) changes.nct = next.nct;
      checkRateLimit(changes.rl);
      if (changes.bn !== undefined && changes.bn !== null)
        changes.bn = checkBatchNotify(changes.bn, batchNotifyDefaultSeconds());
      if ('nu' in changes) {
        // New targets are verified as at creation: an UPDATE must not point notifications at a
        // target that never agreed to receive them (the flooding 7.5.1.2.3 guards against).
        const added = (changes.nu as string[]).filter((u) => !(current.nu as string[]).includes(u));
        await notifier().verify(current, added, ctx.originator);
      }
    },
  };
}
