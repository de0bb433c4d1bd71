// accessControlPolicyIDs as references (TS-0001 Table 9.6.1.3.2-1; TS-0004 Table 6.3.3-1 m2m:acpType, a
// list of policy resource IDs). Every entry of a CREATE or UPDATE must name an <accessControlPolicy> that
// exists on this CSE now, in any resource identifier form of TS-0001 Table 7.2-1 (CSE-relative structured
// or unstructured, SP-relative, absolute). What is stored, evaluated and returned is the policy's
// resourceID: a policy created later at the same path has another resourceID, so it is never linked
// (docs/authorization.md "Policy links"). dynamicAuthorizationConsultationIDs (daci) names who may grant
// privileges on the resource, so its links are kept the same way.
import {
  formatTimestamp,
  type IdContext,
  isLocalTarget,
  M2MError,
  parseTarget,
  ResourceType,
  ResponseStatusCode,
} from '@m2msec/protocol';
import type { StoredResource } from '@m2msec/store';
import type { Core } from '../core.js';
import type { RequestContext } from '../request-context.js';
import { locate } from './locate.js';

// Bounded echo of an untrusted entry.
const clip = (s: string): string => (s.length > 64 ? `${s.slice(0, 61)}...` : s);

/** A kind of link: the attribute and the resource type its entries must name. */
export interface LinkKind {
  attribute: 'acpi' | 'daci';
  label: string;
  ty: number;
  typeName: string;
}

export const POLICY_LINKS: LinkKind = {
  attribute: 'acpi',
  label: 'accessControlPolicyIDs (acpi)',
  ty: ResourceType.accessControlPolicy,
  typeName: '<accessControlPolicy>',
};

export const CONSULTATION_LINKS: LinkKind = {
  attribute: 'daci',
  label: 'dynamicAuthorizationConsultationIDs (daci)',
  ty: ResourceType.dynamicAuthorizationConsultation,
  typeName: '<dynamicAuthorizationConsultation>',
};

/** Whether a stored resource is a live one of type `ty` (an expired one is gone even before the sweep). */
export function isLiveLink(r: StoredResource | undefined, ty: number, now: Date): r is StoredResource {
  if (!r || r.ty !== ty) return false;
  return !(typeof r.et === 'string' && r.et <= formatTimestamp(now, { fraction: true }));
}

/** Whether a stored policy applies at `now`. */
export function isLivePolicy(p: StoredResource | undefined, now: Date): p is StoredResource {
  return isLiveLink(p, ResourceType.accessControlPolicy, now);
}

/** The resource an entry names, or a refusal; one outcome for "missing" and "wrong type" (no type oracle). */
async function resolveEntry(core: Core, ctx: RequestContext, kind: LinkKind, entry: string, label: string) {
  // TS-0004 7.3.3.3 / 7.3.3.4: a value that is not accepted -> BAD_REQUEST, naming the entry.
  const target = parseTarget(entry, label);
  if (!isLocalTarget(target, core.idContext)) {
    // A resource hosted by another CSE is a feature this CSE does not implement (TS-0004 7.3.3.3: a value of a
    // feature the Hosting CSE does not support -> NOT_IMPLEMENTED): it could not be evaluated here.
    throw new M2MError(
      ResponseStatusCode.NOT_IMPLEMENTED,
      `${label} '${clip(entry)}' names a resource of another CSE; only this CSE's ${kind.typeName} resources can be linked`,
    );
  }
  try {
    const { resource, virtual } = await locate(core, entry);
    if (!virtual && isLiveLink(resource, kind.ty, ctx.now)) return resource;
  } catch (e) {
    if (!(e instanceof M2MError && e.rsc === ResponseStatusCode.NOT_FOUND)) throw e;
  }
  throw new M2MError(
    ResponseStatusCode.BAD_REQUEST,
    `${label} '${clip(entry)}' does not identify an existing ${kind.typeName} on this CSE`,
  );
}

/**
 * Validates an acpi (or daci) value of a CREATE or UPDATE request and returns it as resourceIDs (order
 * kept, duplicates naming one resource merged). Call after the access check, so that the refusal tells an
 * originator without privileges nothing about other resources.
 */
export async function resolveLinks(core: Core, ctx: RequestContext, kind: LinkKind, value: unknown): Promise<string[]> {
  // m2m:acpType has at least one member (TS-0004 Table 6.3.3-1); an empty daci list links nothing.
  if (!Array.isArray(value) || (kind.attribute === 'acpi' && value.length === 0))
    throw new M2MError(ResponseStatusCode.BAD_REQUEST, `${kind.label} must be a non-empty list of IDs`);
  const out: string[] = [];
  for (const [i, entry] of value.entries()) {
    const label = `${kind.label} entry ${i}`;
    if (typeof entry !== 'string')
      throw new M2MError(ResponseStatusCode.BAD_REQUEST, `${label} is not a resource identifier`);
    const linked = await resolveEntry(core, ctx, kind, entry, label);
    if (!out.includes(linked.ri)) out.push(linked.ri);
  }
  return out;
}

/**
 * The resourceID a stored acpi / daci entry links, or undefined when it can link nothing: a structured name
 * (written before links were resourceIDs and not migrated, see migrations/) or another CSE's ID.
 * Links are followed by resourceID only, so a name that was freed and reused never grants anything.
 */
export function linkedResourceId(ids: IdContext, stored: string): string | undefined {
  let id = stored;
  const sp = `//${ids.spId}${ids.cseId}/`;
  if (id.startsWith(sp)) id = id.slice(sp.length);
  else if (id.startsWith(`${ids.cseId}/`)) id = id.slice(ids.cseId.length + 1);
  return id === '' || id.includes('/') ? undefined : id;
}
