// TS-0001 10.2.2.7 step 004 / 008: after its registrar accepted CREATE <remoteCSE>, the registering
// CSE keeps a <remoteCSE> for the registrar under its own <CSEBase>. Done by the CSE itself (no
// request can carry it: CREATE <remoteCSE> names the registering CSE in From), created or refreshed.
import { M2MError, ResourceType, ResponseStatusCode, validateResource } from '@m2msec/protocol';
import type { StoredResource } from '@m2msec/store';
import { monotonicTimestamp } from '../clock.js';
import type { Core } from '../core.js';

export interface RegistrarRecord {
  /** SP-relative CSE-ID of the registrar, e.g. '/id-in'. */
  csi: string;
  /** Its <CSEBase> address, e.g. '/id-in/cse-in'. */
  cb: string;
  /** cseType of the registrar (1 IN-CSE, 2 MN-CSE). */
  cst: 1 | 2 | 3;
  /** Points of access to forward requests to. */
  poa: string[];
  /** Release versions the registrar supports. */
  srv?: string[];
}

export async function recordRegistrar(core: Core, r: RegistrarRecord, now = new Date()): Promise<StoredResource> {
  if (r.csi !== core.config.registrarCseId) {
    throw new M2MError(
      ResponseStatusCode.BAD_REQUEST,
      `'${r.csi}' is not the configured registrar ('${core.config.registrarCseId ?? 'none'}')`,
    );
  }
  const { attrs } = validateResource('create', ResourceType.remoteCSE, {
    'm2m:csr': { csi: r.csi, cb: r.cb, cst: r.cst, poa: r.poa, rr: true, srv: r.srv ?? ['3'] },
  });
  const ri = r.csi.slice(1);
  const existing = await core.store.resources.get(ri);
  const lt = monotonicTimestamp(now);
  if (existing && existing.ty !== ResourceType.remoteCSE) {
    throw new M2MError(ResponseStatusCode.CONFLICT, `resource '${ri}' exists and is not a <remoteCSE>`);
  }
  const resource: StoredResource = {
    ...(existing ?? {}),
    ...attrs,
    ri,
    pi: core.cseBaseRi,
    rn: existing?.rn ?? ri,
    ty: ResourceType.remoteCSE,
    ct: existing?.ct ?? lt,
    lt,
    srn: existing?.srn ?? `${core.config.cseBaseName}/${ri}`,
    __cr: core.config.cseId,
  };
  if (existing) await core.store.resources.update(resource);
  else await core.store.resources.create(resource);
  return resource;
}
