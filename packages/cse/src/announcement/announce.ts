// The announcing side of TS-0004 7.3.3.10 / 7.3.3.11, run after the original's transaction committed:
// CREATE of the announced resource at each new target (under the announced parent there, else under
// this CSE's <remoteCSE> at the target, TS-0001 Table 9.6.4-1 child <AEAnnc>, <containerAnnc>, ...),
// UPDATE of the announced attributes that changed, DELETE at the targets left. Requests go over the
// registration's Mcc association (Retargeter.sendTo) with this CSE's CSE-ID in From (TS-0001 9.6.26.1).
// announceTo then holds the addresses of the announced resources that exist; a target whose request
// failed is left out (7.3.3.10 step 3) and the failure is logged.
import {
  Operation,
  type RequestPrimitive,
  ResourceType,
  ResponseStatusCode,
  rootNameOfResource,
} from '@m2msec/protocol';
import type { StoredResource } from '@m2msec/store';
import type { Core } from '../core.js';
import { newResourceId } from '../ids.js';
import { type Announceable, optionalAnnounced } from './announceable.js';
import { type AnnouncementPlan, announcedAt, cseOfUri } from './targets.js';

/** The JSON root of the announced variant of `r` (a <flexContainer>'s specialization root + 'Annc'). */
const anncRoot = (spec: Announceable, r: StoredResource) => rootNameOfResource({ ty: spec.annc, cnd: r.cnd });

function request(core: Core, op: Operation, to: string, extra: Partial<RequestPrimitive> = {}): RequestPrimitive {
  return { op, to, fr: core.config.cseId, rqi: newResourceId('annc'), rvi: '3', ...extra };
}

/** The announced attributes of `r` (MA, and OA named in aa), with the link to the original. */
export function announcedContent(core: Core, spec: Announceable, r: StoredResource, aa: readonly string[]) {
  const body: Record<string, unknown> = { lnk: `${core.config.cseId}/${r.ri}` };
  const oa = optionalAnnounced(spec, r);
  for (const k of [...spec.ma, ...aa.filter((a) => oa.includes(a))]) if (r[k] !== undefined) body[k] = r[k];
  return body;
}

async function createAt(
  core: Core,
  spec: Announceable,
  r: StoredResource,
  parent: StoredResource | undefined,
  csi: string,
  aa: readonly string[],
) {
  let to = announcedAt(parent, csi);
  if (!to) {
    const remotes = await core.store.resources.children(core.cseBaseRi, { ty: [ResourceType.remoteCSE] });
    const cb = remotes.find((x) => x.csi === csi)?.cb;
    if (typeof cb !== 'string') throw new Error(`CSE '${csi}' is no longer registered here`);
    to = `${cb}/${core.config.cseId.slice(1)}`;
  }
  const root = anncRoot(spec, r);
  const rsp = await core.sendToCse(
    csi,
    request(core, Operation.CREATE, to, { ty: spec.annc, pc: { [root]: announcedContent(core, spec, r, aa) } }),
  );
  const ri = (rsp.pc as Record<string, { ri?: unknown }> | undefined)?.[root]?.ri;
  if (rsp.rsc !== ResponseStatusCode.CREATED || typeof ri !== 'string')
    throw new Error(`CREATE at ${to} answered ${rsp.rsc}${rsp.dbg ? `: ${rsp.dbg}` : ''}`);
  return `${csi}/${ri}`;
}

/** DELETE of announced resources; returns those that are gone (deleted now or not found there). */
export async function deleteAnnounced(core: Core, uris: readonly string[]): Promise<string[]> {
  const gone: string[] = [];
  for (const uri of uris) {
    try {
      const rsp = await core.sendToCse(cseOfUri(uri), request(core, Operation.DELETE, uri));
      if (rsp.rsc === ResponseStatusCode.DELETED || rsp.rsc === ResponseStatusCode.NOT_FOUND) gone.push(uri);
      else core.log.warn({ uri, rsc: rsp.rsc }, `de-announcement refused: ${rsp.dbg ?? ''}`);
    } catch (e) {
      core.log.warn({ uri }, `de-announcement failed: ${(e as Error).message}`);
    }
  }
  return gone;
}

/**
 * Carries out a plan for resource `r` (as stored after the request) and returns its announceTo.
 * `changed`: attributes the request changed (UPDATE), sent to the announced resources that stay.
 */
export async function carryOut(
  core: Core,
  plan: AnnouncementPlan,
  r: StoredResource,
  parent: StoredResource | undefined,
  changed: readonly string[] = [],
): Promise<string[]> {
  const { spec } = plan;
  const gone = await deleteAnnounced(core, plan.remove);
  const at = [...plan.keep, ...plan.remove.filter((u) => !gone.includes(u))];
  // UPDATE of the announced attributes that changed, and NULL for OA attributes leaving aa (7.3.3.11).
  const oa = optionalAnnounced(spec, r);
  const sync = changed.filter((k) => spec.ma.includes(k) || (plan.aa.includes(k) && oa.includes(k)));
  const added = plan.aaChanged ? plan.aa : [];
  const pc: Record<string, unknown> = {};
  for (const k of new Set([...sync, ...added])) pc[k] = r[k] ?? null;
  for (const k of plan.aaRemoved) pc[k] = null;
  if (Object.keys(pc).length > 0) {
    const root = anncRoot(spec, r);
    for (const uri of plan.keep) {
      try {
        const rsp = await core.sendToCse(cseOfUri(uri), request(core, Operation.UPDATE, uri, { pc: { [root]: pc } }));
        if (rsp.rsc !== ResponseStatusCode.UPDATED)
          core.log.warn({ uri, rsc: rsp.rsc }, `announced update refused: ${rsp.dbg ?? ''}`);
      } catch (e) {
        core.log.warn({ uri }, `announced update failed: ${(e as Error).message}`);
      }
    }
  }
  for (const csi of plan.add) {
    try {
      at.push(await createAt(core, spec, r, parent, csi, plan.aa));
    } catch (e) {
      core.log.warn({ ri: r.ri, target: csi }, `announcement failed: ${(e as Error).message}`);
    }
  }
  return at;
}

/** Writes the announceTo / announcedAttribute the announcement left, onto the stored resource. */
export async function recordAnnouncement(
  core: Core,
  r: StoredResource,
  at: string[],
  aa: string[],
): Promise<StoredResource> {
  const fresh = (await core.store.resources.get(r.ri)) ?? r;
  const next: StoredResource = { ...fresh };
  if (at.length > 0) next.at = at;
  else delete next.at;
  if (aa.length > 0) next.aa = aa;
  else delete next.aa;
  if (JSON.stringify(next.at) !== JSON.stringify(fresh.at) || JSON.stringify(next.aa) !== JSON.stringify(fresh.aa))
    await core.store.resources.update(next);
  return next;
}
