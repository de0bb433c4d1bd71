// Compiles access-control rules into matchers once per policy change (TS-0003 7.1.5):
// res_acr(k) = res_authn AND res_origs AND res_ops AND res_ctxts AND res_objd, and
// res_acrs = OR over k (permit-overrides). Cheap checks run first; parts that always hold are left out.
import type { IdContext } from '@m2msec/protocol';
import { compileContexts } from './contexts/compile-contexts.js';
import { type Decision, rulePermit } from './decision/decision.js';
import { AccessControlRuleError, clip } from './errors.js';
import { compileObjectDetails } from './rules/object-details.js';
import { classifyAcorEntry, compileOriginators } from './rules/originators.js';
import type { AccessRequest, CompiledRuleSet } from './types.js';

type RuleMatcher = (req: AccessRequest) => boolean;

interface CompiledRule {
  matches: RuleMatcher;
  /** What a permit by this rule answers (made once, so a permit allocates nothing). */
  decision: Decision;
  groupCandidates: string[];
  roleIds: string[];
  needsLocation: boolean;
}

const RULE_KEYS = new Set(['acor', 'acop', 'acco', 'acaf', 'acod']);

/**
 * Compiles one rule; throws AccessControlRuleError on any malformed element. With `strict`, acor
 * entries that are none of the originator forms are errors too (otherwise they just never match).
 */
export function compileRule(rule: unknown, ctx: IdContext, path = 'acr[0]', strict = false): CompiledRule {
  if (typeof rule !== 'object' || rule === null || Array.isArray(rule))
    throw new AccessControlRuleError(path, 'must be an m2m:accessControlRule object');
  const r = rule as Record<string, unknown>;
  for (const k of Object.keys(r))
    if (!RULE_KEYS.has(k)) throw new AccessControlRuleError(path, `has unknown element '${clip(k)}'`);
  if (!Array.isArray(r.acor) || r.acor.length === 0)
    throw new AccessControlRuleError(`${path}.acor`, 'is mandatory: a non-empty list of originators');
  if (strict) {
    for (const [i, e] of r.acor.entries()) classifyAcorEntry(e, ctx, `${path}.acor[${i}]`);
  }
  const ops = r.acop;
  if (!Number.isInteger(ops) || (ops as number) < 1 || (ops as number) > 63)
    throw new AccessControlRuleError(`${path}.acop`, `'${clip(ops)}' must be an integer bitmask from 1 to 63`);
  if (r.acaf !== undefined && typeof r.acaf !== 'boolean')
    throw new AccessControlRuleError(`${path}.acaf`, 'must be a boolean');
  const origins = compileOriginators(r.acor, ctx);
  const contexts = compileContexts(r.acco, `${path}.acco`);
  const objects = compileObjectDetails(r.acod, `${path}.acod`);
  const acop = ops as number;
  const needsAuthn = r.acaf === true;
  const orig = origins.matches;
  const ctxs = contexts?.matches;
  let matches: RuleMatcher;
  if (!needsAuthn && !ctxs && !objects) matches = (q) => (acop & q.operation) !== 0 && orig(q);
  else {
    matches = (q) =>
      (acop & q.operation) !== 0 &&
      (!needsAuthn || q.authenticated) &&
      orig(q) &&
      (ctxs === undefined || ctxs(q)) &&
      (objects === undefined || objects(q));
  }
  return {
    matches,
    decision: rulePermit(path),
    groupCandidates: origins.groupCandidates,
    roleIds: origins.roleIds,
    needsLocation: contexts?.needsLocation ?? false,
  };
}

const DENY_ALL: CompiledRuleSet = {
  permits: () => false,
  decide: () => undefined,
  groupCandidates: [],
  needsLocation: false,
  roleIds: [],
};

function acrList(set: unknown, name: string): unknown[] {
  if (typeof set !== 'object' || set === null || Array.isArray(set))
    throw new AccessControlRuleError(name, 'must be an m2m:setOfAcrs object {acr: [...]}');
  const keys = Object.keys(set);
  if (keys.some((k) => k !== 'acr'))
    throw new AccessControlRuleError(name, `has unknown element '${clip(keys.find((k) => k !== 'acr'))}'`);
  // accessControlRules is 0..n: a set without acr is the empty set.
  const acr = (set as { acr?: unknown }).acr ?? [];
  if (!Array.isArray(acr)) throw new AccessControlRuleError(`${name}.acr`, 'must be a list of rules');
  return acr;
}

function combine(rules: CompiledRule[]): CompiledRuleSet {
  if (rules.length === 0) return DENY_ALL;
  const meta = {
    groupCandidates: [...new Set(rules.flatMap((r) => r.groupCandidates))],
    roleIds: [...new Set(rules.flatMap((r) => r.roleIds))],
    needsLocation: rules.some((r) => r.needsLocation),
  };
  if (rules.length === 1) {
    const { matches, decision } = rules[0]!;
    return { permits: matches, decide: (req) => (matches(req) ? decision : undefined), ...meta };
  }
  const ms = rules.map((r) => r.matches);
  const ds = rules.map((r) => r.decision);
  return {
    permits(req) {
      for (let i = 0; i < ms.length; i++) if (ms[i]!(req)) return true;
      return false;
    },
    decide(req) {
      for (let i = 0; i < ms.length; i++) if (ms[i]!(req)) return ds[i];
      return undefined;
    },
    ...meta,
  };
}

/**
 * Compiles a stored set of rules for decisions. A rule that cannot be compiled never permits (fails
 * closed, unlike ACME's "treat as match"); the other rules of the set still apply.
 */
export function compileRuleSet(set: unknown, ctx: IdContext, name = 'acrs'): CompiledRuleSet {
  if (set === undefined || set === null) return DENY_ALL;
  let acr: unknown[];
  try {
    acr = acrList(set, name);
  } catch {
    return DENY_ALL;
  }
  const rules: CompiledRule[] = [];
  acr.forEach((r, i) => {
    try {
      rules.push(compileRule(r, ctx, `${name}.acr[${i}]`));
    } catch {
      /* fails closed */
    }
  });
  return combine(rules);
}

/**
 * Checks a set of rules as an <accessControlPolicy> CREATE / UPDATE must (TS-0004 7.4.2): every rule,
 * every element, every originator form; throws AccessControlRuleError naming the first bad element.
 */
export function checkSetOfAcrs(set: unknown, ctx: IdContext, name: string): CompiledRuleSet {
  const acr = acrList(set, name);
  return combine(acr.map((r, i) => compileRule(r, ctx, `${name}.acr[${i}]`, true)));
}
