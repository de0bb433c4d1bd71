// <timeSeries> (TS-0004 7.4.38, TS-0001 9.6.36): a container of <timeSeriesInstance>s with quotas
// (mni, mbs, mia) and missing data detection (pei, peid, mdd, mdn, mdt, mdlt, mdc; TS-0001 10.2.4.29).
import { M2MError, ResourceType, ResponseStatusCode } from '@m2msec/protocol';
import type { StoredResource } from '@m2msec/store';
import type { ResourceTypeHandler } from './handler.js';
import type { MissingDataMonitor } from './missing-data.js';
import { enforceTimeSeriesQuota } from './time-series-instance.js';

/** periodicIntervalDelta when the originator sets none (7.4.38.2.1 "local policy"): a tenth of pei. */
export function defaultPeriodicIntervalDelta(pei: number): number {
  return Math.floor(pei / 10);
}

const bad = (msg: string) => new M2MError(ResponseStatusCode.BAD_REQUEST, msg);

/**
 * 7.4.38.2.1 / 7.4.38.2.3 Recv-6.4 checks on the resulting attribute set `r`; a request (`given`) that
 * sets pei without peid gets the default peid (written to `out`).
 */
function checkDetection(
  r: Record<string, unknown>,
  given: Record<string, unknown>,
  out: Record<string, unknown>,
): void {
  const pei = r.pei as number | undefined;
  if (typeof pei === 'number') {
    if ('pei' in given && (!('peid' in given) || given.peid === null))
      out.peid = r.peid = defaultPeriodicIntervalDelta(pei);
    if (typeof r.peid === 'number' && r.peid > pei / 2) {
      throw bad(`periodicIntervalDelta (peid) ${r.peid} must not exceed periodicInterval/2 (${pei / 2})`);
    }
  }
  if (r.mdd === true) {
    if (typeof r.mdt !== 'number') throw bad('missingDataDetect (mdd) true needs missingDataDetectTimer (mdt)');
    if (r.mdt <= ((r.peid as number | undefined) ?? 0)) {
      throw bad(`missingDataDetectTimer (mdt) ${r.mdt} must be greater than periodicIntervalDelta (peid) ${r.peid}`);
    }
  }
}

const DETECTION_SETTINGS = ['mdt', 'mdn', 'peid', 'pei'] as const;

export function timeSeriesHandler(monitor: MissingDataMonitor): ResourceTypeHandler {
  return {
    ty: ResourceType.timeSeries,
    // TS-0004 child tables: CSEBase 7.4.3.1-4, remoteCSE, AE, container, flexContainer 7.4.37.1-3.
    parents: [
      ResourceType.CSEBase,
      ResourceType.AE,
      ResourceType.remoteCSE,
      ResourceType.container,
      ResourceType.flexContainer,
    ],
    hasAcpi: true,
    idPrefix: 'ts',
    create({ resource }) {
      resource.cni = 0;
      resource.cbs = 0;
      checkDetection(resource, { ...resource }, resource);
      if (resource.mdd === true) {
        resource.mdlt = [];
        resource.mdc = 0;
      }
    },
    ownCounters: ['cni', 'cbs'],
    countsChildren: true,
    async applyUpdate(ctx, updated) {
      // Lowered mni / mbs / mia apply at once, oldest instances first (TS-0001 9.6.36).
      await enforceTimeSeriesQuota(ctx, updated);
    },
    deleted(ts) {
      monitor.stop(ts.ri); // 7.4.38.2.4: the detection timers end with the resource
    },
    update(_ctx, current, changes) {
      // 7.4.38.2.3: while detection is being switched, or runs, its settings cannot change.
      const settings = DETECTION_SETTINGS.filter((k) => k in changes);
      if (settings.length > 0 && ('mdd' in changes || current.mdd === true)) {
        throw bad(
          `${settings.join(', ')} cannot be updated ${'mdd' in changes ? 'together with missingDataDetect (mdd)' : 'while missingDataDetect (mdd) is true'}`,
        );
      }
      const merged: StoredResource = { ...current };
      for (const [k, v] of Object.entries(changes)) {
        if (v === null) delete merged[k];
        else merged[k] = v;
      }
      checkDetection(merged, changes, changes);
      if (changes.mdd === true) {
        // 10.2.4.29: false -> true clears the list and the counter and restarts monitoring.
        changes.mdlt = [];
        changes.mdc = 0;
        monitor.restart(current.ri);
      } else if (changes.mdd === false || changes.mdd === null) monitor.stop(current.ri);
    },
  };
}
