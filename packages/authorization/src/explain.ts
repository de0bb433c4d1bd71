// The decision explainer (issue 17): evaluates a set of <accessControlPolicy> resources for a
// hypothetical request and says which rule permits it, or why each rule does not. Same semantics as
// the decision itself (TS-0003 7.1.5: res_acr = authn AND origs AND ops AND ctxts AND objd, permit-
// overrides over the rules of every policy; pv for ordinary resources, pvs for the policy itself,
// 7.1.1); there are no deny rules in oneM2M, so a denial names no rule, only the reasons.
import type { IdContext } from '@m2msec/protocol';
import { compileRule } from './compile.js';
import { compileOriginators } from './rules/originators.js';
import type { AccessRequest } from './types.js';

export interface ExplainedPolicy {
  /** resourceID of the <accessControlPolicy>. */
  ri: string;
  rn?: string;
  pv?: unknown;
  pvs?: unknown;
}

export interface RuleVerdict {
  /** `<ri>.pv.acr[i]` (or pvs). */
  rule: string;
  permits: boolean;
  reason: string;
}

export interface Explanation {
  permit: boolean;
  /** The first rule that permits (permit-overrides), absent on a denial. */
  rule?: string;
  reason: string;
  rules: RuleVerdict[];
}

/** Why one rule does or does not permit `req` (checks in the order of 7.1.5). */
function verdict(raw: unknown, ctx: IdContext, path: string, req: AccessRequest): RuleVerdict {
  let compiled: ReturnType<typeof compileRule>;
  try {
    compiled = compileRule(raw, ctx, path);
  } catch (e) {
    return { rule: path, permits: false, reason: `malformed, never permits: ${(e as Error).message}` };
  }
  if (compiled.matches(req)) return { rule: path, permits: true, reason: 'originator, operation and contexts match' };
  const r = raw as { acor: unknown[]; acop: number; acaf?: boolean };
  if (!compileOriginators(r.acor, ctx).matches(req))
    return { rule: path, permits: false, reason: `acor does not name ${req.originator}` };
  if ((r.acop & req.operation) === 0)
    return { rule: path, permits: false, reason: `acop ${r.acop} does not include operation ${req.operation}` };
  if (r.acaf === true && !req.authenticated)
    return { rule: path, permits: false, reason: 'acaf requires an authenticated request' };
  return { rule: path, permits: false, reason: 'a context (acco) or object detail (acod) does not hold' };
}

export function explainDecision(
  policies: readonly ExplainedPolicy[],
  which: 'pv' | 'pvs',
  req: AccessRequest,
  ctx: IdContext,
): Explanation {
  const rules: RuleVerdict[] = [];
  for (const p of policies) {
    const set = p[which] as { acr?: unknown } | undefined;
    const acr = Array.isArray(set?.acr) ? set.acr : [];
    acr.forEach((raw, i) => {
      rules.push(verdict(raw, ctx, `${p.ri}.${which}.acr[${i}]`, req));
    });
  }
  const first = rules.find((v) => v.permits);
  if (first) return { permit: true, rule: first.rule, reason: `permitted by ${first.rule}`, rules };
  return {
    permit: false,
    reason:
      rules.length === 0
        ? `no ${which} rule in the ${policies.length} policies: denied`
        : `no ${which} rule permits: denied (${rules.map((v) => `${v.rule}: ${v.reason}`).join('; ')})`,
    rules,
  };
}
