// <locationPolicy> (TS-0004 7.4.10, TS-0001 9.6.10). On CREATE the Hosting CSE creates the <container>
// that holds the location information and cross-links both (loi / li), in the same transaction. Device
// based positioning (locationSource 2) is done by the Hosting CSE's own positioning module (GPS and the
// like, CseOptions.positioning) every locationUpdatePeriod; each fix becomes a <contentInstance>
// (GeoJSON Point, RFC 7946) written by the CSE itself. The container's policy lets the locationPolicy's
// creator read it and subscribe to it, never write it: the location that feeds the aclr access-control
// context (location-source.ts) is the CSE's measurement, not a claim of the AE. Network based (1, a
// Location Server over OMA MLP / 3GPP APIs) and sharing based (3) positioning are not provided: 5001.
// Deleting the locationPolicy deletes its container and policy and stops the positioning (7.4.10.2.4).
import { M2MError, ResourceType, ResponseStatusCode } from '@m2msec/protocol';
import type { StoredResource } from '@m2msec/store';
import type { Core } from '../core.js';
import { newResourceId } from '../ids.js';
import { NotificationEventType } from '../notifications/notifier.js';
import type { RequestContext } from '../request-context.js';
import type { ResourceTypeHandler } from './handler.js';
import { durationMillis } from './missing-data.js';

export const LocationSource = { networkBased: 1, deviceBased: 2, sharingBased: 3 } as const;

/** The Hosting CSE's location determination module (TS-0004 7.4.10.2.1 step 4). */
export interface PositioningModule {
  position(): Promise<{ latitude: number; longitude: number }>;
}

/** contentInfo of a location fix. */
export const LOCATION_CONTENT_INFO = 'application/geo+json:0';
/** Fixes kept in the location container. */
export const LOCATION_HISTORY = 10;

export class LocationPositioning {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  constructor(
    private readonly core: () => Core,
    private readonly module: PositioningModule | undefined,
  ) {}

  /** Starts periodic positioning for a device based policy with a period > 0. */
  start(lp: StoredResource): void {
    const period = updatePeriodMillis(lp);
    if (lp.los !== LocationSource.deviceBased || !period || this.timers.has(lp.ri)) return;
    const run = () => {
      this.fix(lp).catch((e) => this.core().log.warn({ ri: lp.ri }, `positioning: ${e.message}`));
    };
    const t = setInterval(run, period);
    t.unref();
    this.timers.set(lp.ri, t);
    run();
  }

  stop(ri: string): void {
    clearInterval(this.timers.get(ri));
    this.timers.delete(ri);
  }

  close(): void {
    for (const ri of [...this.timers.keys()]) this.stop(ri);
  }

  /** Re-arms the device based policies after a start of the CSE. */
  async resume(): Promise<void> {
    const core = this.core();
    for (const lp of await core.store.resources.children(core.cseBaseRi, { ty: [ResourceType.locationPolicy] })) {
      this.start(lp);
    }
  }

  /** One positioning: a <contentInstance> in the location container, or locationStatus on failure. */
  async fix(lp: StoredResource): Promise<void> {
    const core = this.core();
    let status: string;
    try {
      if (!this.module) throw new Error('this CSE has no positioning module');
      const { latitude, longitude } = await this.module.position();
      if (!(Math.abs(latitude) <= 90 && Math.abs(longitude) <= 180)) throw new Error('position out of range');
      const ctx: RequestContext = {
        req: {
          op: 1,
          to: lp.loi as string,
          fr: core.config.cseId,
          rqi: newResourceId('loc'),
          rvi: '3',
          ty: ResourceType.contentInstance,
          pc: {
            'm2m:cin': {
              cnf: LOCATION_CONTENT_INFO,
              con: JSON.stringify({ type: 'Point', coordinates: [longitude, latitude] }),
            },
          },
        },
        transport: { binding: 'internal' },
        originator: core.config.cseId,
        authenticated: true,
        admin: true,
        now: new Date(),
        store: core.store,
      };
      const rsp = await core.dispatch(ctx);
      status = rsp.rsc === ResponseStatusCode.CREATED ? 'Successful' : `Failure: ${rsp.rsc}`;
    } catch (e) {
      status = `Failure: ${(e as Error).message}`;
    }
    const fresh = await core.store.resources.get(lp.ri);
    if (!fresh) return this.stop(lp.ri);
    if (fresh.lost === status) return;
    const updated = { ...fresh, lost: status };
    await core.store.transaction((tx) => tx.resources.update(updated));
    await core.notifier.event(updated, NotificationEventType.update, updated);
  }
}

/** The current locationUpdatePeriod: the first of the list (7.4.10.2.1), in ms; 0 / absent: none. */
export function updatePeriodMillis(lp: StoredResource): number | undefined {
  const first = (lp.lou as string[] | undefined)?.[0];
  const ms = first === undefined ? undefined : durationMillis(first);
  return ms && ms > 0 ? ms : undefined;
}

export function locationPolicyHandler(positioning: LocationPositioning, cseId: string): ResourceTypeHandler {
  return {
    ty: ResourceType.locationPolicy,
    parents: [ResourceType.CSEBase], // TS-0004 Table 7.4.3.1-4
    hasAcpi: true,
    idPrefix: 'lcp',
    create({ attrs }) {
      if (attrs.los !== LocationSource.deviceBased) {
        throw new M2MError(
          ResponseStatusCode.NOT_IMPLEMENTED,
          `locationSource ${attrs.los} needs a Location Server or area network topology this CSE does not have; only device based (2) positioning is provided`,
        );
      }
      for (const d of (attrs.lou as string[] | undefined) ?? []) {
        if (durationMillis(d) === undefined) {
          throw new M2MError(
            ResponseStatusCode.BAD_REQUEST,
            `locationUpdatePeriod (lou) '${d}' is not an xs:duration (PnDTnHnMnS)`,
          );
        }
      }
    },
    async afterCreate({ ctx, parent, resource }) {
      const acp: StoredResource = {
        ri: newResourceId('acp'),
        pi: parent.ri,
        rn: '',
        ty: ResourceType.accessControlPolicy,
        ct: resource.ct,
        lt: resource.ct,
        srn: '',
        // The creator may read, discover and subscribe (CREATE of <subscription> only), never write.
        pv: { acr: [{ acor: [ctx.originator], acop: 1 | 2 | 32, acod: [{ chty: [ResourceType.subscription] }] }] },
        pvs: { acr: [{ acor: [cseId], acop: 63 }] },
        __cr: cseId,
      };
      acp.rn = acp.ri;
      acp.srn = `${parent.srn}/${acp.rn}`;
      const cnt: StoredResource = {
        ri: newResourceId('cnt'),
        pi: parent.ri,
        rn: (resource.lon as string | undefined) ?? '',
        ty: ResourceType.container,
        ct: resource.ct,
        lt: resource.ct,
        srn: '',
        cni: 0,
        cbs: 0,
        st: 0,
        mni: LOCATION_HISTORY,
        li: resource.ri,
        acpi: [acp.ri],
        __cr: cseId,
      };
      if (cnt.rn === '') cnt.rn = cnt.ri;
      cnt.srn = `${parent.srn}/${cnt.rn}`;
      if (await ctx.store.resources.getBySrn(cnt.srn)) {
        throw new M2MError(
          ResponseStatusCode.CONFLICT,
          `a resource named '${cnt.rn}' already exists under '${parent.srn}'`,
        );
      }
      await ctx.store.resources.create(acp);
      await ctx.store.resources.create(cnt);
      resource.loi = cnt.ri;
      resource.__acp = acp.ri;
      await ctx.store.resources.update(resource);
    },
    created(lp) {
      positioning.start(lp);
    },
    async deleted(lp, remove) {
      positioning.stop(lp.ri);
      for (const ri of [lp.loi, lp.__acp]) if (typeof ri === 'string') await remove(ri);
    },
  };
}
