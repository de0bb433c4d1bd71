// Registration gating (TS-0001 10.2.2.2 step 003, TS-0004 7.3.2.7): the certificate attributes of
// the association, then the <serviceSubscribedAppRule>s linked for this registrar. Any failure is
// 4126 APP_RULE_VALIDATION_FAILED naming the rule part that failed.
import { appRuleValidationFailed, show } from '../lib/errors.js';
import type { CompiledAppRule } from './app-rule.js';

export interface RegistrationClaim {
  /** Credential-ID the security association authenticated (normalised); undefined without one. */
  readonly credentialId?: string;
  /** App-ID (api) in the CREATE <AE> content, already checked with checkAppId. */
  readonly appId: string;
  /** AE-ID-Stem the AE will get: From's stem, or the one assignAeId produced. */
  readonly aeIdStem: string;
  /** True when the AE named this stem in From (TS-0001 10.2.2.2 step 002 i, ii, vi). */
  readonly stemRequested: boolean;
  /** App-ID and AE-ID-Stem attributes of the association's certificate, when it carried them. */
  readonly certificate?: { readonly appId?: string; readonly aeIdStem?: string };
}

export interface RegistrationGrant {
  /** The first rule (in the given order) that allows the registration. */
  readonly rule: CompiledAppRule;
}

const anyMatch = (patterns: CompiledAppRule['appIds'], value: string) => patterns.some((p) => p.matches(value));

export function checkAeRegistration(claim: RegistrationClaim, rules: readonly CompiledAppRule[]): RegistrationGrant {
  const cert = claim.certificate;
  if (cert?.appId !== undefined && cert.appId !== claim.appId) {
    appRuleValidationFailed(
      `App-ID ${show(claim.appId)} differs from the App-ID ${show(cert.appId)} of the association's certificate (TS-0001 10.2.2.2 step 003)`,
    );
  }
  if (cert?.aeIdStem !== undefined && (!claim.stemRequested || cert.aeIdStem !== claim.aeIdStem)) {
    appRuleValidationFailed(
      `From must carry the AE-ID-Stem ${show(cert.aeIdStem)} of the association's certificate, got ${
        claim.stemRequested ? show(claim.aeIdStem) : 'none'
      } (TS-0001 10.2.2.2 step 003)`,
    );
  }
  if (rules.length === 0) {
    appRuleValidationFailed('no <serviceSubscribedAppRule> is linked for this registrar (TS-0004 7.3.2.7)');
  }
  // Remember how far the best rule got, to name the part that failed.
  const appIdFailed: string[] = [];
  const aeIdFailed: string[] = [];
  for (const r of rules) {
    if (!credentialApplies(r, claim.credentialId)) continue;
    if (!anyMatch(r.appIds, claim.appId)) {
      appIdFailed.push(r.rule.name);
      continue;
    }
    if (!anyMatch(r.aeIdStems, claim.aeIdStem)) {
      aeIdFailed.push(r.rule.name);
      continue;
    }
    return { rule: r };
  }
  const names = (l: string[]) => l.map((n) => show(n)).join(', ');
  if (aeIdFailed.length > 0) {
    appRuleValidationFailed(
      `AE-ID-Stem ${show(claim.aeIdStem)} is not in allowedAEs of rule(s) ${names(aeIdFailed)} that allow App-ID ${show(claim.appId)}`,
    );
  }
  if (appIdFailed.length > 0) {
    appRuleValidationFailed(`App-ID ${show(claim.appId)} is not in allowedApp-IDs of rule(s) ${names(appIdFailed)}`);
  }
  appRuleValidationFailed(
    claim.credentialId === undefined
      ? 'no <serviceSubscribedAppRule> allows registration without a security association (rules without applicableCredIDs)'
      : `no <serviceSubscribedAppRule> lists credential-ID ${show(claim.credentialId)} in applicableCredIDs`,
  );
}

/** TS-0001 Table 9.6.29-2: absent applicableCredIDs is the rule for "no security association". */
function credentialApplies(r: CompiledAppRule, credentialId: string | undefined): boolean {
  if (credentialId === undefined) return r.credentialIds.length === 0;
  return anyMatch(r.credentialIds, credentialId);
}
