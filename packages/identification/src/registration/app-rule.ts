// <serviceSubscribedAppRule> (TS-0001 9.6.29, TS-0004 7.4.29; short names TS-0004 Table 8.2.3-5:
// applicableCredIDs 'apci', allowedApp-IDs 'aai', allowedAEs 'aae', allowedRole-IDs 'ari').
import { badRequest, show } from '../lib/errors.js';
import { compileWildcard, type WildcardPattern } from '../lib/wildcard.js';

export interface ServiceSubscribedAppRule {
  /** Resource name or ID, used in error messages. */
  readonly name: string;
  /** Credential-ID patterns; absent or empty: the rule is for registrations without a security association. */
  readonly applicableCredIDs?: readonly string[];
  /** App-ID patterns. */
  readonly allowedAppIDs?: readonly string[];
  /** AE-ID-Stem patterns ('C*', 'S*', '*', 'C123*X', exact stems). */
  readonly allowedAEs?: readonly string[];
  /** Role-IDs the AE may present in later requests; not a registration condition (see README Choices). */
  readonly allowedRoleIDs?: readonly string[];
}

/** A rule with its patterns compiled once (rules are read per registration, matched per request). */
export interface CompiledAppRule {
  readonly rule: ServiceSubscribedAppRule;
  readonly credentialIds: readonly WildcardPattern[];
  readonly appIds: readonly WildcardPattern[];
  readonly aeIdStems: readonly WildcardPattern[];
}

function stringList(v: unknown, what: string): string[] | undefined {
  if (v === undefined) return undefined;
  if (!Array.isArray(v)) badRequest(`${what} must be a list of strings`);
  for (const s of v) {
    if (typeof s !== 'string' || s.length === 0) badRequest(`${what} contains an empty or non-string entry ${show(s)}`);
  }
  return [...v];
}

/**
 * Checks a rule as CREATE / UPDATE <serviceSubscribedAppRule> must (TS-0004 7.4.29.2.1 / .3): every
 * allowedApp-IDs pattern starts with '*', 'R' or 'N' (else 4000), and no list holds an empty entry.
 */
export function validateAppRule(rule: ServiceSubscribedAppRule): void {
  stringList(rule.applicableCredIDs, 'applicableCredIDs (apci)');
  stringList(rule.allowedAEs, 'allowedAEs (aae)');
  stringList(rule.allowedRoleIDs, 'allowedRole-IDs (ari)');
  for (const p of stringList(rule.allowedAppIDs, 'allowedApp-IDs (aai)') ?? []) {
    if (p[0] !== '*' && p[0] !== 'R' && p[0] !== 'N') {
      badRequest(`allowedApp-IDs (aai) pattern ${show(p)} must start with '*', 'R' or 'N' (TS-0004 7.4.29.2.1)`);
    }
  }
}

/** Reads a rule from its resource representation (short names), validating it. */
export function appRuleFromResource(resource: Record<string, unknown>): ServiceSubscribedAppRule {
  const name = typeof resource.rn === 'string' ? resource.rn : typeof resource.ri === 'string' ? resource.ri : '?';
  const rule: ServiceSubscribedAppRule = {
    name,
    applicableCredIDs: stringList(resource.apci, 'applicableCredIDs (apci)'),
    allowedAppIDs: stringList(resource.aai, 'allowedApp-IDs (aai)'),
    allowedAEs: stringList(resource.aae, 'allowedAEs (aae)'),
    allowedRoleIDs: stringList(resource.ari, 'allowedRole-IDs (ari)'),
  };
  validateAppRule(rule);
  return rule;
}

export function compileAppRule(rule: ServiceSubscribedAppRule): CompiledAppRule {
  validateAppRule(rule);
  return {
    rule,
    credentialIds: (rule.applicableCredIDs ?? []).map(compileWildcard),
    appIds: (rule.allowedAppIDs ?? []).map(compileWildcard),
    aeIdStems: (rule.allowedAEs ?? []).map(compileWildcard),
  };
}
