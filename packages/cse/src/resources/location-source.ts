// rq_loc from <locationPolicy> (TS-0003 7.1.2 "obtained over the Mcn reference point" / TS-0004
// 7.4.10): the latest fix the Hosting CSE's device based positioning stored for a policy the originator
// created. A fix older than twice the policy's update period is no location (the aclr context fails
// closed), and so is a container somebody else wrote: only the CSE's own content instances count.
// Another configured source, if any, is asked first.
import type { LocationSource } from '@m2msec/authorization';
import { parseTimestamp, ResourceType } from '@m2msec/protocol';
import type { Core } from '../core.js';
import { LOCATION_CONTENT_INFO, LocationSource as Los, updatePeriodMillis } from './location-policy.js';

interface Fix {
  latitude: number;
  longitude: number;
  at: number;
}

function parseFix(con: unknown, ct: string): Fix | undefined {
  try {
    const g = JSON.parse(con as string) as { type?: unknown; coordinates?: unknown };
    const [longitude, latitude] = Array.isArray(g.coordinates) ? g.coordinates : [];
    if (g.type !== 'Point' || typeof latitude !== 'number' || typeof longitude !== 'number') return undefined;
    return { latitude, longitude, at: parseTimestamp(ct).getTime() };
  } catch {
    return undefined;
  }
}

export function locationPolicySource(core: () => Core, configured?: LocationSource): LocationSource {
  return {
    async locate(q) {
      const known = await configured?.locate(q);
      if (known) return known;
      const c = core();
      let best: Fix | undefined;
      for (const lp of await c.store.resources.children(c.cseBaseRi, { ty: [ResourceType.locationPolicy] })) {
        if (lp.__cr !== q.originator || lp.los !== Los.deviceBased || typeof lp.loi !== 'string') continue;
        const period = updatePeriodMillis(lp);
        const [cin] = await c.store.resources.children(lp.loi, {
          ty: [ResourceType.contentInstance],
          order: 'desc',
          lim: 1,
        });
        if (!cin || !period || cin.__cr !== c.config.cseId || cin.cnf !== LOCATION_CONTENT_INFO) continue;
        const fix = parseFix(cin.con, cin.ct);
        if (!fix || Date.now() - fix.at > 2 * period) continue;
        if (!best || fix.at > best.at) best = fix;
      }
      return best && { latitude: best.latitude, longitude: best.longitude };
    },
  };
}
