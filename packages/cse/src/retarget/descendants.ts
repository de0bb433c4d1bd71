// descendantCSEs (TS-0001 9.6.4, 10.2.2.7 / 10.2.2.9 / 10.2.2.10 receiver processing): a CSE that has a
// registrar tells it which CSEs are below it, so the registrar can route to them by dcse.
import { ResourceType } from '@m2msec/protocol';
import type { Core } from '../core.js';

/** CSE-IDs registered here and the descendants they declared (the registrar's <remoteCSE> excluded). */
export async function descendantCseIds(core: Core): Promise<string[]> {
  const remotes = await core.store.resources.children(core.cseBaseRi, { ty: [ResourceType.remoteCSE] });
  const ids = new Set<string>();
  for (const r of remotes) {
    if (r.csi === core.config.registrarCseId || typeof r.csi !== 'string') continue;
    ids.add(r.csi);
    if (Array.isArray(r.dcse)) for (const d of r.dcse) if (typeof d === 'string') ids.add(d);
  }
  ids.delete(core.config.cseId);
  return [...ids].sort();
}
