// NOTIFY addressed to a resource of this CSE (TS-0004 7.3.3.x): the only resource that takes one is
// <pollingChannelURI>, carrying the response to a request delivered by a long poll (7.4.22.2.5).
import { type HandlerResponse, M2MError, ResponseStatusCode } from '@m2msec/protocol';
import type { Core } from '../core.js';
import { locate } from '../pipeline/locate.js';
import type { RequestContext } from '../request-context.js';
import { relayResponse } from '../resources/polling-channel.js';

export async function notify(core: Core, ctx: RequestContext): Promise<HandlerResponse> {
  const { resource, virtual } = await locate(core, ctx.req.to);
  if (virtual?.kind === 'pcu') return relayResponse(ctx, resource, core.pollingChannels);
  throw new M2MError(
    ResponseStatusCode.OPERATION_NOT_ALLOWED,
    `operation ${ctx.req.op} is not supported on this target`,
  );
}
