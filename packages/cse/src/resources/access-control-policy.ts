// <accessControlPolicy> (TS-0004 7.4.2): rule sets are checked on create and update so that a stored
// policy always compiles; a policy without selfPrivileges could never be managed again, so it is refused.
import { M2MError, ResourceType, ResponseStatusCode } from '@m2msec/protocol';
import type { ResourceTypeHandler } from './handler.js';

function checkRuleSet(name: 'pv' | 'pvs', value: unknown, required: boolean): void {
  if (value === undefined || value === null) {
    if (required) throw new M2MError(ResponseStatusCode.BAD_REQUEST, `attribute '${name}' of m2m:acp is mandatory`);
    return;
  }
  const acr = (value as { acr?: unknown }).acr;
  if (!Array.isArray(acr)) throw new M2MError(ResponseStatusCode.BAD_REQUEST, `${name}.acr must be a list of rules`);
  if (name === 'pvs' && acr.length === 0) {
    throw new M2MError(ResponseStatusCode.BAD_REQUEST, 'selfPrivileges (pvs) must contain at least one rule');
  }
  acr.forEach((rule: any, i: number) => {
    const where = `${name}.acr[${i}]`;
    if (typeof rule !== 'object' || rule === null)
      throw new M2MError(ResponseStatusCode.BAD_REQUEST, `${where} must be an object`);
    if (!Array.isArray(rule.acor) || rule.acor.some((o: unknown) => typeof o !== 'string' || o === '')) {
      throw new M2MError(ResponseStatusCode.BAD_REQUEST, `${where}.acor must be a list of non-empty originator IDs`);
    }
    if (!Number.isInteger(rule.acop) || rule.acop < 1 || rule.acop > 63) {
      throw new M2MError(ResponseStatusCode.BAD_REQUEST, `${where}.acop must be an integer bitmask from 1 to 63`);
    }
    if (rule.acaf !== undefined && typeof rule.acaf !== 'boolean') {
      throw new M2MError(ResponseStatusCode.BAD_REQUEST, `${where}.acaf must be a boolean`);
    }
  });
}

export const accessControlPolicyHandler: ResourceTypeHandler = {
  ty: ResourceType.accessControlPolicy,
  parents: [ResourceType.CSEBase, ResourceType.AE, ResourceType.remoteCSE],
  hasAcpi: false, // governed by its own selfPrivileges
  idPrefix: 'acp',
  create({ attrs }) {
    checkRuleSet('pv', attrs.pv, true);
    checkRuleSet('pvs', attrs.pvs, true);
  },
  update(_ctx, _current, changes) {
    if ('pv' in changes) checkRuleSet('pv', changes.pv, true);
    if ('pvs' in changes) checkRuleSet('pvs', changes.pvs, true);
  },
};
