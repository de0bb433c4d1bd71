// Discovery (TS-0004 7.3.3.x, RETRIEVE with filterUsage=1): the descendants matching the filter
// criteria that the originator may DISCOVER, as a URI list (drt 1 structured, 2 unstructured).
import { AccessControlOperation, type HandlerResponse, ResponseStatusCode } from '@m2msec/protocol';
import type { StoredResource } from '@m2msec/store';
import type { Core } from '../core.js';
import { isPermitted } from '../pipeline/access.js';
import type { RequestContext } from '../request-context.js';
import { RetrievalDisabled } from './retrieval-disabled.js';

const UNSTRUCTURED = 2;

export async function discover(core: Core, ctx: RequestContext, root: StoredResource): Promise<HandlerResponse> {
  const fc = ctx.req.fc ?? {};
  const found = await ctx.store.resources.descendants(root.ri, {
    ty: fc.ty,
    lbl: fc.lbl,
    cra: fc.cra,
    crb: fc.crb,
    exa: fc.exa,
    exb: fc.exb,
    ms: fc.ms,
    us: fc.us,
    lvl: fc.lvl,
  });
  const uris: string[] = [];
  const limit = fc.lim ?? Number.POSITIVE_INFINITY;
  let skip = fc.ofst ?? 0;
  const disabled = new RetrievalDisabled(ctx);
  for (const r of found) {
    if (uris.length >= limit) break;
    if (await disabled.hides(r)) continue;
    if (!(await isPermitted(core, ctx, r, AccessControlOperation.DISCOVERY))) continue;
    if (skip > 0) {
      skip--;
      continue;
    }
    uris.push(ctx.req.drt === UNSTRUCTURED ? r.ri : r.srn);
  }
  return { rsc: ResponseStatusCode.OK, rqi: ctx.req.rqi, pc: { 'm2m:uril': uris } };
}
