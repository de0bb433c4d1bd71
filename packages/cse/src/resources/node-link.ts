// nodeLink (nl) of <AE>, <remoteCSE> and <flexContainer> (TS-0001 9.6.5, 9.6.4, 9.6.35; TS-0004 Table
// 6.3.6-1): the resource ID of the <node> the entity runs on. A link is checked when made (DESIGN.md
// section 7): a local ID must name a <node>, or the request is refused with 4000; an ID of another CSE
// cannot be checked here and is kept as given.
import { M2MError, ResourceType, ResponseStatusCode } from '@m2msec/protocol';
import type { RequestContext } from '../request-context.js';
import { resolveMember } from './group.js';
import type { ResourceTypeHandler } from './handler.js';

export async function checkNodeLink(ctx: RequestContext, cseId: string, nl: unknown): Promise<void> {
  if (nl === undefined || nl === null) return;
  if (typeof nl !== 'string') throw new M2MError(ResponseStatusCode.BAD_REQUEST, 'nodeLink (nl) must be a resource ID');
  if (nl.startsWith('/') && !nl.startsWith(`${cseId}/`)) return; // hosted by another CSE
  const node = await resolveMember(ctx, cseId, nl);
  if (node?.ty !== ResourceType.node) {
    throw new M2MError(ResponseStatusCode.BAD_REQUEST, `nodeLink (nl) '${nl}' does not refer to a <node> resource`);
  }
}

/** The handler with its CREATE and UPDATE also checking nl. */
export function withNodeLinkCheck(h: ResourceTypeHandler, cseId: string): ResourceTypeHandler {
  return {
    ...h,
    async create(input) {
      await checkNodeLink(input.ctx, cseId, input.attrs.nl);
      await h.create?.(input);
    },
    async update(ctx, current, changes) {
      await checkNodeLink(ctx, cseId, changes.nl);
      await h.update?.(ctx, current, changes);
    },
  };
}
