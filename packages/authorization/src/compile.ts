// Compiles a set of access-control rules into a matcher: res_acr = authn AND originators AND operations
// AND contexts AND object (TS-0003 7.1.5), OR over rules (permit-overrides).
import type { IdContext } from '@m2msec/protocol';
import { compileOriginators } from './rules/originators.js';
import type { AccessControlRule, AccessRequest, CompiledRuleSet, SetOfAcrs } from './types.js';

type RuleMatcher = (req: AccessRequest) => boolean;

function compileRule(rule: AccessControlRule, ctx: IdContext): RuleMatcher | undefined {
  const ops = rule.acop | 0;
  if (ops === 0) return undefined;
  // Contexts and object details are evaluated by later stages of this engine; until a rule's
  // contexts can be evaluated the rule never permits (fail closed, unlike ACME's "treat as match").
  if ((rule.acco && rule.acco.length > 0) || (rule.acod && rule.acod.length > 0)) return undefined;
  const originators = compileOriginators(rule.acor ?? [], ctx);
  const needsAuthn = rule.acaf === true;
  return (req) => (ops & req.operation) !== 0 && (!needsAuthn || req.authenticated) && originators(req.originator);
}

const DENY_ALL: CompiledRuleSet = { permits: () => false };

export function compileRuleSet(set: SetOfAcrs | undefined, ctx: IdContext): CompiledRuleSet {
  const rules: RuleMatcher[] = [];
  for (const r of set?.acr ?? []) {
    const m = compileRule(r, ctx);
    if (m) rules.push(m);
  }
  if (rules.length === 0) return DENY_ALL;
  if (rules.length === 1) return { permits: rules[0]! };
  return {
    permits(req) {
      for (let i = 0; i < rules.length; i++) if (rules[i]!(req)) return true;
      return false;
    },
  };
}
