// <timeSeriesInstance> (TS-0004 7.4.39, TS-0001 9.6.37): created like a <contentInstance> in its
// <timeSeries> (quotas mni / mbs / mia, oldest first), never updated (4005), and no two instances of one
// series share a dataGenerationTime (dgt): 4105 CONFLICT (7.4.39.2.1). The uniqueness check runs inside
// the creating transaction, after the insert, so two concurrent creates cannot both pass; the missing
// data monitor hears of the instance after the commit.
import { formatTimestamp, M2MError, parseAbsRelTimestamp, ResourceType, ResponseStatusCode } from '@m2msec/protocol';
import type { StoredResource } from '@m2msec/store';
import type { RequestContext } from '../request-context.js';
import { contentSize } from './container.js';
import type { ResourceTypeHandler } from './handler.js';
import type { MissingDataMonitor } from './missing-data.js';

/** An absolute dgt as m2m:timestamp, with the fraction only when it has milliseconds. */
export function dgtString(ms: number): string {
  return formatTimestamp(new Date(ms), { fraction: ms % 1000 !== 0 });
}

/** dgt in milliseconds since the epoch (a relative dgt is resolved against the request time). */
function dgtMillis(r: StoredResource): number {
  return r.__dgt as number;
}

/** Removes instances beyond mni / mbs and older than mia seconds (TS-0001 9.6.36), oldest first. */
export async function enforceTimeSeriesQuota(ctx: RequestContext, ts: StoredResource): Promise<void> {
  const store = ctx.store.resources;
  if (typeof ts.mia === 'number') {
    const cutoff = formatTimestamp(new Date(ctx.now.getTime() - ts.mia * 1000), { fraction: true });
    for (const old of await store.children(ts.ri, { ty: [ResourceType.timeSeriesInstance], crb: cutoff })) {
      await store.delete(old.ri);
      ts.cni = (ts.cni as number) - 1;
      ts.cbs = (ts.cbs as number) - (old.cs as number);
    }
  }
  const mni = typeof ts.mni === 'number' ? ts.mni : Number.POSITIVE_INFINITY;
  const mbs = typeof ts.mbs === 'number' ? ts.mbs : Number.POSITIVE_INFINITY;
  if ((ts.cni as number) <= mni && (ts.cbs as number) <= mbs) return;
  for (const old of await store.children(ts.ri, { ty: [ResourceType.timeSeriesInstance], order: 'asc' })) {
    if ((ts.cni as number) <= mni && (ts.cbs as number) <= mbs) break;
    await store.delete(old.ri);
    ts.cni = (ts.cni as number) - 1;
    ts.cbs = (ts.cbs as number) - (old.cs as number);
  }
}

export function timeSeriesInstanceHandler(monitor: MissingDataMonitor): ResourceTypeHandler {
  return {
    ty: ResourceType.timeSeriesInstance,
    parents: [ResourceType.timeSeries],
    hasAcpi: false, // governed by the parent timeSeries (TS-0001 10.2.3)
    idPrefix: 'tsi',
    updatable: false, // 7.4.39.2.3: OPERATION_NOT_ALLOWED
    create({ ctx, parent, resource }) {
      const dgt = parseAbsRelTimestamp(resource.dgt, ctx.now, 'dataGenerationTime (dgt)');
      // A relative dgt is stored as the absolute time it denotes; an absolute one as sent.
      if (typeof resource.dgt !== 'string' || /^[+-]?\d+$/.test(resource.dgt)) resource.dgt = dgtString(dgt.getTime());
      resource.__dgt = dgt.getTime();
      const cs = contentSize(resource.con);
      if (typeof parent.mbs === 'number' && cs > parent.mbs) {
        throw new M2MError(
          ResponseStatusCode.NOT_ACCEPTABLE,
          `content size ${cs} bytes exceeds the timeSeries' maxByteSize ${parent.mbs}`,
        );
      }
      resource.cs = cs;
    },
    async afterCreate({ ctx, parent, resource }) {
      const siblings = await ctx.store.resources.children(parent.ri, { ty: [ResourceType.timeSeriesInstance] });
      if (siblings.some((s) => s.ri !== resource.ri && dgtMillis(s) === dgtMillis(resource))) {
        throw new M2MError(
          ResponseStatusCode.CONFLICT,
          `a timeSeriesInstance with dataGenerationTime ${resource.dgt} already exists in '${parent.srn}'`,
        );
      }
      const ts = { ...parent, cni: (parent.cni as number) + 1, cbs: (parent.cbs as number) + (resource.cs as number) };
      await enforceTimeSeriesQuota(ctx, ts);
      await ctx.store.resources.update(ts);
    },
    created(tsi) {
      // After commit: an instance whose transaction rolled back never counts as received.
      monitor.instanceCreated(tsi.pi, dgtMillis(tsi));
    },
  };
}
