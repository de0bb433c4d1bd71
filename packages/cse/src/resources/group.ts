// <group> (TS-0004 7.4.13): members validated and counted; member type consistency per csy.
import { M2MError, ResourceType, ResponseStatusCode } from '@m2msec/protocol';
import type { StoredResource } from '@m2msec/store';
import type { RequestContext } from '../request-context.js';
import type { ResourceTypeHandler } from './handler.js';

const MIXED = 0;
const ABANDON_MEMBER = 1;
const ABANDON_GROUP = 2;
const SET_MIXED = 3;

/** Resolves a member ID (CSE-relative ri or srn, or SP-relative on this CSE) to a local resource. */
export async function resolveMember(
  ctx: RequestContext,
  cseId: string,
  id: string,
): Promise<StoredResource | undefined> {
  let local = id;
  if (id.startsWith(`${cseId}/`)) local = id.slice(cseId.length + 1);
  else if (id.startsWith('/')) return undefined; // another CSE's resource: not validated here
  return local.includes('/') ? ctx.store.resources.getBySrn(local) : ctx.store.resources.get(local);
}

async function checkMembers(ctx: RequestContext, cseId: string, r: StoredResource): Promise<void> {
  const mid = r.mid as string[];
  if (!Array.isArray(mid) || mid.some((m) => typeof m !== 'string')) {
    throw new M2MError(ResponseStatusCode.BAD_REQUEST, 'memberIDs (mid) must be a list of resource IDs');
  }
  const unique = [...new Set(mid)];
  const mnm = r.mnm as number;
  if (!Number.isInteger(mnm) || mnm < 1)
    throw new M2MError(ResponseStatusCode.BAD_REQUEST, 'maxNrOfMembers (mnm) must be a positive integer');
  if (unique.length > mnm) {
    throw new M2MError(
      ResponseStatusCode.MAX_NUMBER_OF_MEMBER_EXCEEDED,
      `${unique.length} members exceed maxNrOfMembers ${mnm}`,
    );
  }
  const mt = (r.mt as number) ?? MIXED;
  const csy = (r.csy as number) ?? ABANDON_MEMBER;
  const kept: string[] = [];
  let mixed = false;
  for (const id of unique) {
    const m = await resolveMember(ctx, cseId, id);
    if (!m) {
      if (id.startsWith('/') && !id.startsWith(`${cseId}/`))
        kept.push(id); // remote member, kept as given
      else throw new M2MError(ResponseStatusCode.BAD_REQUEST, `group member '${id}' does not exist`);
      continue;
    }
    if (mt !== MIXED && m.ty !== mt) {
      if (csy === ABANDON_GROUP) {
        throw new M2MError(
          ResponseStatusCode.GROUP_MEMBER_TYPE_INCONSISTENT,
          `member '${id}' has type ${m.ty}, the group requires ${mt}`,
        );
      }
      if (csy === SET_MIXED) mixed = true;
      else continue; // ABANDON_MEMBER
    }
    kept.push(id);
  }
  r.mid = kept;
  r.cnm = kept.length;
  r.mtv = true;
  if (mixed) r.mt = MIXED;
}

export function groupHandler(cseId: string): ResourceTypeHandler {
  return {
    ty: ResourceType.group,
    parents: [ResourceType.CSEBase, ResourceType.AE, ResourceType.remoteCSE],
    hasAcpi: true,
    idPrefix: 'grp',
    async create({ ctx, resource }) {
      if (resource.mt === undefined) resource.mt = MIXED;
      await checkMembers(ctx, cseId, resource);
    },
    async update(ctx, current, changes) {
      if ('mid' in changes || 'mnm' in changes) {
        const next = { ...current, ...changes } as StoredResource;
        await checkMembers(ctx, cseId, next);
        changes.mid = next.mid;
        changes.cnm = next.cnm;
      }
    },
  };
}
