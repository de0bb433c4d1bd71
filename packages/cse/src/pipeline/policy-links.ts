// accessControlPolicyIDs as references (TS-0001 Table 9.6.1.3.2-1; TS-0004 Table 6.3.3-1 m2m:acpType,
// "list of ACP resource IDs"). Every entry of a CREATE or UPDATE must name an <accessControlPolicy> that
// exists on this CSE now, in any resource identifier form of TS-0001 Table 7.2-1 (CSE-relative structured
// or unstructured, SP-relative, absolute). What is stored, evaluated and returned is the policy's
// resourceID: a policy created later at the same path has another resourceID, so it is never linked
// (docs/authorization.md "Policy links").
import {
  formatTimestamp,
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

/** Whether a stored policy applies at `now` (an expired one is gone even before the sweep removes it). */
export function isLivePolicy(p: StoredResource | undefined, now: Date): p is StoredResource {
  if (!p || p.ty !== ResourceType.accessControlPolicy) return false;
  return !(typeof p.et === 'string' && p.et <= formatTimestamp(now, { fraction: true }));
}

/** The policy an entry names, or undefined; one outcome for "missing" and "not a policy" (no type oracle). */
async function resolveEntry(core: Core, ctx: RequestContext, entry: string, label: string) {
  // TS-0004 7.3.3.3 / 7.3.3.4: a value that is not accepted -> BAD_REQUEST, naming the entry.
  const target = parseTarget(entry, label);
  if (!isLocalTarget(target, core.idContext)) {
    // A policy hosted by another CSE is a feature this CSE does not implement (TS-0004 7.3.3.3 "relates to a
    // feature that is not supported" -> NOT_IMPLEMENTED): its decision could not be evaluated here.
    throw new M2MError(
      ResponseStatusCode.NOT_IMPLEMENTED,
      `${label} '${clip(entry)}' names a policy on another CSE; only this CSE's <accessControlPolicy> resources can be linked`,
    );
  }
  try {
    const { resource, virtual } = await locate(core, entry);
    if (!virtual && isLivePolicy(resource, ctx.now)) return resource;
  } catch (e) {
    if (!(e instanceof M2MError && e.rsc === ResponseStatusCode.NOT_FOUND)) throw e;
  }
  throw new M2MError(
    ResponseStatusCode.BAD_REQUEST,
    `${label} '${clip(entry)}' does not identify an existing <accessControlPolicy> on this CSE`,
  );
}

/**
 * Validates an acpi value of a CREATE or UPDATE request and returns it as resourceIDs (order kept,
 * duplicates naming one policy merged). Call after the access check, so that the refusal tells an
 * originator without privileges nothing about other resources.
 */
export async function resolvePolicyLinks(core: Core, ctx: RequestContext, acpi: unknown): Promise<string[]> {
  if (!Array.isArray(acpi) || acpi.length === 0)
    throw new M2MError(ResponseStatusCode.BAD_REQUEST, 'accessControlPolicyIDs (acpi) must be a non-empty list of IDs');
  const out: string[] = [];
  for (const [i, entry] of acpi.entries()) {
    const label = `accessControlPolicyIDs (acpi) entry ${i}`;
    if (typeof entry !== 'string')
      throw new M2MError(ResponseStatusCode.BAD_REQUEST, `${label} is not a resource identifier`);
    const policy = await resolveEntry(core, ctx, entry, label);
    if (!out.includes(policy.ri)) out.push(policy.ri);
  }
  return out;
}

/**
 * The resourceID a stored acpi entry links, or undefined when it can link nothing: a structured name
 * (written before links were resourceIDs and not migrated, see migrate-policy-links.ts) or another CSE's ID.
 * Links are followed by resourceID only, so a name that was freed and reused never grants anything.
 */
export function linkedResourceId(core: Core, stored: string): string | undefined {
  let id = stored;
  const sp = `//${core.idContext.spId}${core.idContext.cseId}/`;
  if (id.startsWith(sp)) id = id.slice(sp.length);
  else if (id.startsWith(`${core.idContext.cseId}/`)) id = id.slice(core.idContext.cseId.length + 1);
  return id === '' || id.includes('/') ? undefined : id;
}
