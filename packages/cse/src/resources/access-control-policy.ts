// <accessControlPolicy> (TS-0004 7.4.2): every rule is checked on create and update (acor forms, acop,
// acaf, each context and object-details element) so that a stored policy always compiles, with a 4000
// naming the element. A policy without selfPrivileges could never be managed again, so it is refused.
import { AccessControlRuleError, checkSetOfAcrs, classifyAcorEntry, type SetOfAcrs } from '@m2msec/authorization';
import { type IdContext, M2MError, ResourceType, ResponseStatusCode } from '@m2msec/protocol';
import { linkedResourceId } from '../pipeline/policy-links.js';
import type { ResourceTypeHandler } from './handler.js';

const clip = (s: string): string => (s.length > 64 ? `${s.slice(0, 61)}...` : s);

function checkRuleSet(ctx: IdContext, name: 'pv' | 'pvs', value: unknown): void {
  const label = name === 'pv' ? 'privileges (pv)' : 'selfPrivileges (pvs)';
  if (value === undefined || value === null)
    throw new M2MError(ResponseStatusCode.BAD_REQUEST, `${label} of m2m:acp is mandatory`);
  try {
    checkSetOfAcrs(value, ctx, name);
  } catch (e) {
    if (e instanceof AccessControlRuleError) throw new M2MError(ResponseStatusCode.BAD_REQUEST, e.message);
    throw e;
  }
  if (name === 'pvs' && ((value as { acr?: unknown[] }).acr ?? []).length === 0)
    throw new M2MError(ResponseStatusCode.BAD_REQUEST, 'selfPrivileges (pvs) must contain at least one rule');
  checkGroupEntries(ctx, name, value as SetOfAcrs);
}

/**
 * TS-0004 7.3.3.15: acor names a <group> by its resource-ID. A structured name is refused: it would be
 * followed to whatever group is created at that path later (docs/authorization.md "Policy links"), and
 * another CSE's group could not be evaluated here.
 */
function checkGroupEntries(ctx: IdContext, name: 'pv' | 'pvs', value: SetOfAcrs): void {
  // accessControlRules is 0..n: a set without acr is the empty set (nothing to check).
  for (const [k, rule] of (value.acr ?? []).entries()) {
    for (const [i, entry] of (rule.acor ?? []).entries()) {
      const c = classifyAcorEntry(entry, ctx);
      if (c.kind === 'group' && linkedResourceId(ctx, c.id) === undefined) {
        throw new M2MError(
          ResponseStatusCode.BAD_REQUEST,
          `${name}.acr[${k}].acor[${i}] '${clip(c.id)}' is not an originator ID and not the resourceID of a <group> on this CSE (a <group> is named by its resourceID, not its structured name)`,
        );
      }
    }
  }
}

export function accessControlPolicyHandler(ctx: IdContext): ResourceTypeHandler {
  return {
    ty: ResourceType.accessControlPolicy,
    parents: [ResourceType.CSEBase, ResourceType.AE, ResourceType.remoteCSE],
    hasAcpi: false, // governed by its own selfPrivileges
    idPrefix: 'acp',
    create({ attrs }) {
      checkRuleSet(ctx, 'pv', attrs.pv);
      checkRuleSet(ctx, 'pvs', attrs.pvs);
    },
    update(_ctx, _current, changes) {
      if ('pv' in changes) checkRuleSet(ctx, 'pv', changes.pv);
      if ('pvs' in changes) checkRuleSet(ctx, 'pvs', changes.pvs);
    },
  };
}
