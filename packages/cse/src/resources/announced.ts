// The receiving side of announcement (TS-0001 9.6.26, TS-0004 7.4.26): <AEAnnc>, <containerAnnc>,
// <contentInstanceAnnc>, <flexContainerAnnc> and <accessControlPolicyAnnc>, kept under the <remoteCSE> of the CSE that
// announced them (or under its announced parents there). Only that CSE creates, updates and deletes
// them (9.6.26.1: the original resource Hosting CSE keeps them in step), and their link must address a
// resource it hosts; others may RETRIEVE / discover them as the access control policies allow.
import { M2MError, ResourceType, ResponseStatusCode } from '@m2msec/protocol';
import type { StoredResource } from '@m2msec/store';
import type { RequestContext } from '../request-context.js';
import type { ResourceTypeHandler } from './handler.js';

/** The CSE-ID that announced resources under `r` stand for: the csi of the <remoteCSE> above them. */
async function announcerOf(ctx: RequestContext, r: StoredResource): Promise<string | undefined> {
  let cur: StoredResource | undefined = r;
  for (let depth = 0; cur && depth < 64; depth++) {
    if (cur.ty === ResourceType.remoteCSE) return cur.csi as string;
    cur = cur.pi ? await ctx.store.resources.get(cur.pi) : undefined;
  }
  return undefined;
}

function refuse(ctx: RequestContext, csi: string | undefined): never {
  throw new M2MError(
    ResponseStatusCode.ORIGINATOR_HAS_NO_PRIVILEGE,
    csi
      ? `only CSE '${csi}', whose <remoteCSE> holds it, may create, update or delete an announced resource here (originator '${ctx.originator}')`
      : 'announced resources live under the <remoteCSE> of the announcing CSE',
  );
}

function checkLink(csi: string, lnk: unknown): void {
  if (typeof lnk !== 'string' || !lnk.startsWith(`${csi}/`) || lnk.length === csi.length + 1)
    throw new M2MError(
      ResponseStatusCode.BAD_REQUEST,
      `link '${String(lnk)}' must address a resource hosted by the announcing CSE '${csi}' (SP-relative, '${csi}/...')`,
    );
}

function announcedHandler(ty: number, parents: readonly number[], idPrefix: string): ResourceTypeHandler {
  return {
    ty,
    parents,
    hasAcpi: true,
    idPrefix,
    async create({ ctx, parent, attrs }) {
      const csi = await announcerOf(ctx, parent);
      if (!csi || csi !== ctx.originator) refuse(ctx, csi);
      checkLink(csi, attrs.lnk);
    },
    async update(ctx, current, changes) {
      const csi = await announcerOf(ctx, current);
      if (!csi || csi !== ctx.originator) refuse(ctx, csi);
      if ('lnk' in changes) checkLink(csi, changes.lnk);
    },
    // UPDATE and DELETE by the announcing CSE only; RETRIEVE and discovery follow the policies.
    async checkOriginator(ctx, resource) {
      if (ctx.req.op !== 3 && ctx.req.op !== 4) return;
      const csi = await announcerOf(ctx, resource);
      if (csi !== ctx.originator) refuse(ctx, csi);
    },
  };
}

/** TS-0001 Table 9.6.26.1-1 (children of the announced types) and Table 9.6.4-1 (<remoteCSE>). */
export const announcedHandlers: readonly ResourceTypeHandler[] = [
  announcedHandler(ResourceType.AEAnnc, [ResourceType.remoteCSE], 'aeA'),
  announcedHandler(
    ResourceType.containerAnnc,
    [ResourceType.remoteCSE, ResourceType.AEAnnc, ResourceType.containerAnnc, ResourceType.flexContainerAnnc],
    'cntA',
  ),
  announcedHandler(ResourceType.contentInstanceAnnc, [ResourceType.containerAnnc], 'cinA'),
  announcedHandler(
    ResourceType.flexContainerAnnc,
    [ResourceType.remoteCSE, ResourceType.AEAnnc, ResourceType.containerAnnc, ResourceType.flexContainerAnnc],
    'fcntA',
  ),
  announcedHandler(ResourceType.accessControlPolicyAnnc, [ResourceType.remoteCSE, ResourceType.AEAnnc], 'acpA'),
];
