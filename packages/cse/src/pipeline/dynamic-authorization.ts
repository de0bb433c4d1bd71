// Direct Dynamic Authorization (TS-0003 7.3.2.2, TS-0001 11.5.2, TS-0004 7.5.1.2.10): after a DENY the
// Hosting CSE finds the <dynamicAuthorizationConsultation> resources linked through daci (the target's,
// else its nearest ancestor's), sends each enabled one's DAS a NOTIFY with securityInfo sit=1, and
// applies a sit=2 answer: granted privileges become a dynamic <accessControlPolicy> under the target
// with the privileges lifetime as expirationTime, tokens are verified and cached for the originator.
import {
  AccessControlRuleError,
  checkSetOfAcrs,
  DasAnswerError,
  type DasClient,
  type DasRequest,
  dasRequestContent,
  type PolicySelection,
  parseDasResponse,
  TokenError,
} from '@m2msec/authorization';
import {
  AccessControlOperation,
  formatTimestamp,
  isSuccess,
  Operation,
  parseAbsRelTimestamp,
  parseOriginator,
  parseTimestamp,
  ResourceType,
  toAbsoluteOriginator,
} from '@m2msec/protocol';
import type { StoredResource } from '@m2msec/store';
import { monotonicTimestamp } from '../clock.js';
import type { Core } from '../core.js';
import { newResourceId } from '../ids.js';
import type { RequestContext } from '../request-context.js';
import { type AccessState, locationOf } from './access-state.js';
import { isLiveLink, linkedResourceId } from './policy-links.js';

/** The enabled consultations for a resource: its own daci, else the nearest ancestor's. */
async function consultations(core: Core, ctx: RequestContext, resource: StoredResource): Promise<StoredResource[]> {
  let r: StoredResource | undefined = resource;
  while (r && !(Array.isArray(r.daci) && r.daci.length > 0)) r = r.pi ? await ctx.store.resources.get(r.pi) : undefined;
  if (!r) return [];
  const out: StoredResource[] = [];
  for (const id of r.daci as string[]) {
    // By resourceID only (pipeline/policy-links.ts): a consultation recreated at a freed path is not linked.
    const ri = linkedResourceId(core.idContext, id);
    const d = ri === undefined ? undefined : await ctx.store.resources.get(ri);
    if (isLiveLink(d, ResourceType.dynamicAuthorizationConsultation, ctx.now) && d.dae === true) out.push(d);
  }
  return out;
}

function absolute(id: string, core: Core): string {
  try {
    return toAbsoluteOriginator(parseOriginator(id), core.idContext);
  } catch {
    return id;
  }
}

async function dasRequest(
  core: Core,
  ctx: RequestContext,
  resource: StoredResource,
  dac: StoredResource,
  sets: PolicySelection,
  state: AccessState,
): Promise<DasRequest> {
  const dreq: DasRequest = {
    or: absolute(ctx.originator, core),
    trt: resource.ty, // sent always: the data type says optional, the procedure mandatory
    op: ctx.req.op,
    rts: formatTimestamp(ctx.now),
    trid: `${core.config.cseId}/${resource.ri}`,
  };
  const peer = ctx.transport.peerAddress;
  if (state.ip && peer) dreq.oip = state.ip.family === 4 ? { ip4: peer.replace(/^::ffff:/i, '') } : { ip6: peer };
  const loc = await locationOf(core, ctx, state);
  if (loc) dreq.olo = { accr: [loc.latitude, loc.longitude, 0] };
  if (state.roles.size > 0) dreq.orid = [...state.roles];
  if (typeof dac.dal === 'string') dreq.ppl = dac.dal;
  if (sets.roleIds.length > 0) dreq.rfa = [...sets.roleIds];
  if (ctx.req.tids?.length) dreq.tids = ctx.req.tids;
  return dreq;
}

/** Creates the dynamic policy of a grant and links it to the governing resource (not through acpi). */
async function createDynamicPolicy(
  core: Core,
  ctx: RequestContext,
  governing: StoredResource,
  gp: unknown,
  expires: Date,
): Promise<void> {
  const ri = newResourceId('acp');
  const ct = monotonicTimestamp(ctx.now);
  const acp: StoredResource = {
    ri,
    pi: governing.ri,
    rn: ri,
    ty: ResourceType.accessControlPolicy,
    srn: `${governing.srn}/${ri}`,
    ct,
    lt: ct,
    // Not monotonicTimestamp: that clock would jump to the expiry and stamp later resources with it.
    et: formatTimestamp(expires, { fraction: true }),
    pv: gp,
    // TS-0004 7.5.1.2.10: the Hosting CSE may Retrieve / Update / Delete it.
    pvs: {
      acr: [
        {
          acor: [core.config.cseId],
          acop: AccessControlOperation.RETRIEVE | AccessControlOperation.UPDATE | AccessControlOperation.DELETE,
        },
      ],
    },
    __cr: core.config.cseId,
    __dynamic: true,
  };
  await core.store.transaction(async (tx) => {
    const fresh = await tx.resources.get(governing.ri);
    if (!fresh) return;
    await tx.resources.create(acp);
    const now = formatTimestamp(ctx.now, { fraction: true });
    const live: string[] = [];
    for (const id of (fresh.__dacpi as string[] | undefined) ?? []) {
      const p = await tx.resources.get(id);
      if (p && !(typeof p.et === 'string' && p.et <= now)) live.push(id);
    }
    await tx.resources.update({ ...fresh, __dacpi: [...live, ri] });
  });
}

/** Applies a DAS answer; true when it granted something to re-evaluate with. */
async function apply(
  core: Core,
  ctx: RequestContext,
  governing: StoredResource,
  dac: StoredResource,
  pc: unknown,
  state: AccessState,
): Promise<boolean> {
  const dres = parseDasResponse(pc);
  let granted = false;
  if (dres.dai?.gp !== undefined) {
    checkSetOfAcrs(dres.dai.gp, core.idContext, 'grantedPrivileges');
    let expires: Date;
    if (dres.dai.pl !== undefined) expires = parseAbsRelTimestamp(dres.dai.pl, ctx.now, 'privilegesLifetime');
    else if (typeof dac.dal === 'string') expires = parseTimestamp(dac.dal, 'dynamicAuthorizationLifetime');
    else expires = new Date(ctx.now.getTime() + core.authz.dynamicGrantLifetimeMs);
    if (expires.getTime() > ctx.now.getTime()) {
      await createDynamicPolicy(core, ctx, governing, dres.dai.gp, expires);
      granted = true;
    }
  }
  for (const t of dres.tkns ?? []) {
    const v = await core.authz.verifier.verify(t, { holder: ctx.originator, now: ctx.now });
    // TS-0003 7.3.2.2 4.1.1.2.2: a DAS token names this CSE as its audience.
    if (!v.claims.tkau?.length) throw new TokenError('wrong-audience', 'a DAS token must name this CSE as audience');
    const { lti, assigned } = core.authz.tokens.add(v, true, ctx.now);
    if (assigned) state.assigned.push(`${lti}:${v.claims.tkid}`);
    (state.tokens as unknown[]).push(v);
    granted = true;
  }
  return granted;
}

/** Consults the DAS Servers linked to the resource; true when a grant was applied. */
async function consultDynamicAuthorization(
  core: Core,
  ctx: RequestContext,
  resource: StoredResource,
  governing: StoredResource,
  sets: PolicySelection,
  state: AccessState,
): Promise<boolean> {
  if (ctx.originator === '') return false;
  for (const dac of await consultations(core, ctx, resource)) {
    const content = dasRequestContent(await dasRequest(core, ctx, resource, dac, sets, state));
    for (const poa of (dac.dap as string[] | undefined) ?? []) {
      const sender = core.authz.senders.get(poa.slice(0, Math.max(0, poa.indexOf(':'))).toLowerCase());
      if (!sender) {
        core.log.warn({ dac: dac.ri }, 'dynamic authorization: no binding for a DAS point of access');
        continue;
      }
      try {
        const rsp = await sender.send(
          poa,
          { op: Operation.NOTIFY, to: poa, fr: core.config.cseId, rqi: newResourceId('das'), rvi: '3', pc: content },
          { timeoutMs: core.config.requestTimeoutMs },
        );
        if (!isSuccess(rsp.rsc)) {
          core.log.warn({ dac: dac.ri, rsc: rsp.rsc }, 'dynamic authorization: the DAS refused the consultation');
          continue;
        }
        return await apply(core, ctx, governing, dac, rsp.pc, state);
      } catch (e) {
        const known = e instanceof DasAnswerError || e instanceof AccessControlRuleError || e instanceof TokenError;
        core.log.warn(
          { dac: dac.ri },
          `dynamic authorization failed: ${known ? (e as Error).message : (e as Error)?.name}`,
        );
      }
    }
  }
  return false;
}

/** The decision point's DAS client (authorization's DasClient port): this CSE's bindings and store. */
export function dasClient(core: () => Core): DasClient<RequestContext, StoredResource> {
  return {
    consult: (ctx, resource, governing, sets, state) =>
      consultDynamicAuthorization(core(), ctx, resource, governing, sets, state),
  };
}
