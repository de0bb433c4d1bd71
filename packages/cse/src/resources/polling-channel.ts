// <pollingChannel> (TS-0004 7.4.21, TS-0001 9.6.21) and its virtual child <pollingChannelURI> 'pcu'
// (7.4.22): service layer long polling for an AE or CSE that cannot receive requests. Only the AE or
// CSE the parent <AE> / <remoteCSE> stands for may create, retrieve, update or delete the channel
// (7.4.21.2.x, after the access decision: 4103), and only the channel's creator may poll it or NOTIFY
// responses to it (7.4.22.2.2 / .5 Recv-6.3).
import { normaliseId } from '@m2msec/authorization';
import {
  type HandlerResponse,
  type IdContext,
  M2MError,
  parseAbsRelTimestamp,
  type RequestPrimitive,
  ResourceType,
  type ResponsePrimitive,
  ResponseStatusCode,
} from '@m2msec/protocol';
import type { StoredResource } from '@m2msec/store';
import type { RequestContext } from '../request-context.js';
import type { ResourceTypeHandler } from './handler.js';
import type { PollingChannelQueues } from './polling-channel-queues.js';

/** How long a long poll waits when the request carries no Request Expiration Timestamp (rqet). */
export const DEFAULT_LONG_POLL_MS = 30_000;
/** The longest a long poll is held, whatever rqet says. */
export const MAX_LONG_POLL_MS = 300_000;

function isResponse(v: unknown): v is ResponsePrimitive {
  const r = v as { rsc?: unknown; rqi?: unknown } | null;
  return typeof r === 'object' && r !== null && Number.isInteger(r.rsc) && typeof r.rqi === 'string' && r.rqi !== '';
}

/** The originator the <AE> or <remoteCSE> stands for. */
function ownerOf(parent: StoredResource, idContext: IdContext): string | undefined {
  if (parent.ty === ResourceType.AE) return normaliseId(parent.aei as string, idContext);
  if (parent.ty === ResourceType.remoteCSE) return parent.csi as string;
  return undefined;
}

function notOwner(ctx: RequestContext, what: string): never {
  throw new M2MError(
    ResponseStatusCode.ORIGINATOR_HAS_NO_PRIVILEGE,
    `originator '${ctx.originator}' is not the ${what} of this pollingChannel`,
  );
}

export function pollingChannelHandler(idContext: IdContext, queues: PollingChannelQueues): ResourceTypeHandler {
  const checkOwner = (ctx: RequestContext, parent: StoredResource | undefined) => {
    if (!parent || ownerOf(parent, idContext) !== ctx.originator) notOwner(ctx, 'AE or CSE');
  };
  return {
    ty: ResourceType.pollingChannel,
    parents: [ResourceType.AE, ResourceType.remoteCSE], // Tables 7.4.5.1-4, 7.4.4.1-4
    hasAcpi: false,
    idPrefix: 'pch',
    create({ ctx, parent }) {
      checkOwner(ctx, parent);
    },
    async checkOriginator(ctx, resource) {
      checkOwner(ctx, await ctx.store.resources.get(resource.pi));
    },
    deleted(pch) {
      queues.drop(pch.ri);
    },
  };
}

/** RETRIEVE of <pollingChannelURI>: the next pending request as m2m:rqp, or 4008 when none came in time. */
export async function longPoll(
  ctx: RequestContext,
  pch: StoredResource,
  queues: PollingChannelQueues,
): Promise<HandlerResponse> {
  if (pch.__cr !== ctx.originator) notOwner(ctx, 'creator');
  let waitMs = DEFAULT_LONG_POLL_MS;
  if (ctx.req.rqet !== undefined) {
    waitMs = parseAbsRelTimestamp(ctx.req.rqet, ctx.now, 'requestExpirationTimestamp (rqet)').getTime() - Date.now();
  }
  const req: RequestPrimitive | undefined =
    waitMs > 0 ? await queues.poll(pch.ri, Math.min(waitMs, MAX_LONG_POLL_MS)) : undefined;
  if (!req) {
    throw new M2MError(ResponseStatusCode.REQUEST_TIMEOUT, 'no request for the originator before the request expired');
  }
  return { rsc: ResponseStatusCode.OK, rqi: ctx.req.rqi, pc: { 'm2m:rqp': req } };
}

/** NOTIFY to <pollingChannelURI>: the response to a request delivered by a long poll (7.4.22.2.5). */
export function relayResponse(ctx: RequestContext, pch: StoredResource, queues: PollingChannelQueues): HandlerResponse {
  if (pch.__cr !== ctx.originator) notOwner(ctx, 'creator');
  const rsp = (ctx.req.pc as { 'm2m:rsp'?: unknown } | undefined)?.['m2m:rsp'];
  if (!isResponse(rsp)) {
    throw new M2MError(
      ResponseStatusCode.BAD_REQUEST,
      'a NOTIFY to pollingChannelURI must carry an m2m:rsp with rsc and rqi',
    );
  }
  if (!queues.respond(pch.ri, rsp)) {
    throw new M2MError(ResponseStatusCode.NOT_FOUND, `no request '${rsp.rqi}' awaits a response on this channel`);
  }
  return { rsc: ResponseStatusCode.OK, rqi: ctx.req.rqi };
}

/** The <pollingChannel> through which `target` (an AE-ID or CSE-ID without poa) can be reached. */
export async function pollingChannelOf(
  ctx: Pick<RequestContext, 'store'>,
  target: StoredResource | undefined,
): Promise<StoredResource | undefined> {
  if (!target || (target.ty !== ResourceType.AE && target.ty !== ResourceType.remoteCSE)) return undefined;
  const [pch] = await ctx.store.resources.children(target.ri, { ty: [ResourceType.pollingChannel], lim: 1 });
  return pch;
}

/** The Notifier's delivery for targets without poa: through the target's <pollingChannel>, if any. */
export function pollingChannelDelivery(
  cseId: string,
  store: RequestContext['store'],
  queues: PollingChannelQueues,
): (target: string, req: RequestPrimitive, timeoutMs: number) => Promise<ResponsePrimitive | undefined> {
  return async (target, req, timeoutMs) => {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(target)) return undefined; // a URL is no AE or CSE
    let id = target;
    if (id.startsWith(`${cseId}/`)) id = id.slice(cseId.length + 1);
    else if (id.startsWith('/')) id = id.slice(1);
    const r = id.includes('/') ? await store.resources.getBySrn(id) : await store.resources.get(id);
    const pch = await pollingChannelOf({ store }, r);
    return pch ? queues.deliver(pch.ri, req, timeoutMs) : undefined;
  };
}
