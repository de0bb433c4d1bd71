// <fanOutPoint> of a <group> (TS-0004 7.4.14, TS-0001 10.2.7.6 - 10.2.7.8): CREATE, RETRIEVE, UPDATE and
// DELETE sent to <group>/fopt[/relative path] are repeated for each member (or each member named in Group
// Request Target Members), each member's own access control applying to the originator, and the member
// responses aggregated in m2m:agr with 2000 OK whatever the members answered (7.4.14.2.5).
import {
  accessControlOperationFor,
  type HandlerResponse,
  M2MError,
  Operation,
  ResponseStatusCode,
} from '@m2msec/protocol';
import type { StoredResource } from '@m2msec/store';
import type { Core } from '../core.js';
import { checkAccess } from '../pipeline/access.js';
import type { RequestContext } from '../request-context.js';

const MIXED = 0; // m2m:memberType

/**
 * 7.4.14.3.x Recv-6.3: the originator's authorization on the group comes from membersAccessControlPolicyIDs
 * (macp) when the group has them, else from the group's own accessControlPolicyIDs.
 */
async function checkGroupAccess(core: Core, ctx: RequestContext, group: StoredResource): Promise<void> {
  const macp = group.macp as string[] | undefined;
  const governing = Array.isArray(macp) && macp.length > 0 ? { ...group, acpi: macp } : group;
  await checkAccess(core, ctx, governing, accessControlOperationFor(ctx.req.op));
}

/** 7.4.14.2.4: only the members named in grtm, each of which must be a member of the group (else 4000). */
function targetMembers(ctx: RequestContext, mid: string[]): string[] {
  const grtm = ctx.req.grtm;
  if (grtm === undefined) return mid;
  const outside = grtm.filter((m) => !mid.includes(m));
  if (outside.length > 0)
    throw new M2MError(
      ResponseStatusCode.BAD_REQUEST,
      `Group Request Target Members (grtm) names '${outside[0]}', which is not a member of the group`,
    );
  return grtm;
}

/** 7.4.14.2.1: a CREATE of a type that cannot be a child of the group's member type is refused (4108). */
function checkChildType(core: Core, ctx: RequestContext, group: StoredResource, rest: string): void {
  if (ctx.req.op !== Operation.CREATE || rest !== '') return;
  const mt = (group.mt as number | undefined) ?? MIXED;
  if (mt === MIXED) return;
  const handler = core.handlers.get(ctx.req.ty!);
  if (handler && !handler.parents.includes(mt))
    throw new M2MError(
      ResponseStatusCode.INVALID_CHILD_RESOURCE_TYPE,
      `resource type ${ctx.req.ty} cannot be a child of the group's member type ${mt}`,
    );
}

export async function fanOut(
  core: Core,
  ctx: RequestContext,
  group: StoredResource,
  rest: string,
): Promise<HandlerResponse> {
  await checkGroupAccess(core, ctx, group);
  const mid = (group.mid as string[] | undefined) ?? [];
  if (mid.length === 0)
    throw new M2MError(ResponseStatusCode.NO_MEMBERS, `group '${group.srn}' has no members to fan out to`);
  const members = targetMembers(ctx, mid);
  checkChildType(core, ctx, group, rest);
  const rsp: unknown[] = [];
  for (const member of members) {
    const to = rest ? `${member}/${rest}` : member;
    // The member request carries the originator's From: its access is decided on the member itself.
    const r = await core.dispatch({ ...ctx, req: { ...ctx.req, to, grtm: undefined } });
    rsp.push({
      rsc: r.rsc,
      rqi: ctx.req.rqi,
      pc: r.pc ?? (r.dbg ? { 'm2m:dbg': r.dbg } : undefined),
      // 7.4.14.2.5: the member's resource ID in From tells which member answered.
      fr: member,
      to,
    });
  }
  return { rsc: ResponseStatusCode.OK, rqi: ctx.req.rqi, pc: { 'm2m:agr': { 'm2m:rsp': rsp } } };
}
