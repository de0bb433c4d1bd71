// Discovery (TS-0004 7.3.3.14, RETRIEVE with filterUsage=1): the descendants matching the filter criteria
// that the originator may DISCOVER, as m2m:uril (drt 1 structured, 2 unstructured resource IDs). Access is
// decided on the candidates the filter leaves; a budget stop answers PARTIAL_CONTENT with Content Offset.
import { AccessControlOperation, ContentStatus, type HandlerResponse, ResponseStatusCode } from '@m2msec/protocol';
import type { StoredResource } from '@m2msec/store';
import type { Core } from '../core.js';
import type { RequestContext } from '../request-context.js';
import { checkEvaluable } from './filter-criteria.js';
import { selectDescendants } from './select-descendants.js';

const UNSTRUCTURED = 2;

export async function discover(core: Core, ctx: RequestContext, root: StoredResource): Promise<HandlerResponse> {
  checkEvaluable(ctx.req.fc);
  const { found, partial, nextOffset } = await selectDescendants(core, ctx, root, AccessControlOperation.DISCOVERY);
  const uris = found.map((r) => (ctx.req.drt === UNSTRUCTURED ? r.ri : r.srn));
  return {
    rsc: ResponseStatusCode.OK,
    rqi: ctx.req.rqi,
    pc: { 'm2m:uril': uris },
    ...(partial ? { cnst: ContentStatus.partialContent, cnot: nextOffset } : {}),
  };
}
