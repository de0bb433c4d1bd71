// <fanOutPoint> of a <group> (TS-0004 7.4.14): the request is repeated for each member (each member's
// own access control applies) and the responses are aggregated in m2m:agr.
import { accessControlOperationFor, type HandlerResponse, ResponseStatusCode } from '@m2msec/protocol';
import type { StoredResource } from '@m2msec/store';
import type { Core } from '../core.js';
import { checkAccess } from '../pipeline/access.js';
import type { RequestContext } from '../request-context.js';

export async function fanOut(
  core: Core,
  ctx: RequestContext,
  group: StoredResource,
  rest: string,
): Promise<HandlerResponse> {
  await checkAccess(core, ctx, group, accessControlOperationFor(ctx.req.op));
  const rsp: unknown[] = [];
  for (const member of group.mid as string[]) {
    const to = rest ? `${member}/${rest}` : member;
    const r = await core.dispatch({ ...ctx, req: { ...ctx.req, to } });
    rsp.push({
      rsc: r.rsc,
      rqi: ctx.req.rqi,
      pc: r.pc ?? (r.dbg ? { 'm2m:dbg': r.dbg } : undefined),
      fr: core.config.cseId,
      to,
    });
  }
  return { rsc: ResponseStatusCode.OK, rqi: ctx.req.rqi, pc: { 'm2m:agr': { 'm2m:rsp': rsp } } };
}
