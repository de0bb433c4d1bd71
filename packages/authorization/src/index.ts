export { AccessDecisionEngine, type PrivilegeSet } from './engine.js';
export { compileRuleSet } from './compile.js';
export { compileOriginators, normaliseAcorEntry } from './rules/originators.js';
export type {
  AccessControlRule,
  AccessControlPolicyResource,
  AccessRequest,
  CompiledRuleSet,
  SetOfAcrs,
} from './types.js';
