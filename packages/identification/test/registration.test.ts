import { ResponseStatusCode } from '@m2msec/protocol';
import { describe, expect, it } from 'vitest';
import {
  appRuleFromResource,
  assignAeId,
  checkAeRegistration,
  checkAppId,
  compileAppRule,
  parseCredentialId,
  type RegistrationClaim,
  type ServiceSubscribedAppRule,
  validateAppRule,
} from '../src/index.js';
import { rejects } from './helpers.js';

const BAD = ResponseStatusCode.BAD_REQUEST;
const RULE_FAILED = ResponseStatusCode.APP_RULE_VALIDATION_FAILED;
const compile = (...rules: ServiceSubscribedAppRule[]) => rules.map(compileAppRule);

// The interop example of DIGEST section 2 (TS13), with a defined type code (12 = SAEF key).
const psk = compile({
  name: 'psk',
  applicableCredIDs: ['12-test@onem2m.com'],
  allowedAppIDs: ['*'],
  allowedAEs: ['*'],
});
const claim = (c: Partial<RegistrationClaim>): RegistrationClaim => ({
  credentialId: '12-test@onem2m.com',
  appId: 'Nmeter',
  aeIdStem: 'Cabc',
  stemRequested: true,
  ...c,
});

describe('App-ID (TS-0001 Table 7.2-1, TS-0004 7.4.5.2.1)', () => {
  it("TS-0004 7.4.5.2.1: an App-ID starting with other than 'r', 'R' or 'N' is 4000", () => {
    expect(checkAppId('Ra01.com.company.smartcity')).toBe('Ra01.com.company.smartcity');
    expect(checkAppId('Nk836-t071-fc022')).toBe('Nk836-t071-fc022');
    expect(checkAppId('rlegacy')).toBe('rlegacy');
    expect(rejects(() => checkAppId('Xapp'), BAD)).toMatch(/'R', 'r' or 'N'/);
    expect(rejects(() => checkAppId('napp'), BAD)).toMatch(/'R', 'r' or 'N'/);
  });

  it('TS-0001 Table 7.2-1: an App-ID is a letter and a name; empty, non-string or whitespace is 4000', () => {
    for (const bad of ['', 'N', undefined, 42, 'N app', 'Napp\n']) rejects(() => checkAppId(bad), BAD);
  });
});

describe('<serviceSubscribedAppRule> validation (TS-0004 7.4.29.2.1 / 7.4.29.2.3)', () => {
  it("TS-0004 7.4.29.2.1: allowedApp-IDs patterns start with '*', 'R' or 'N', else 4000", () => {
    expect(() => validateAppRule({ name: 'ok', allowedAppIDs: ['*', 'R*', 'Nx'] })).not.toThrow();
    expect(rejects(() => validateAppRule({ name: 'r', allowedAppIDs: ['Nok', 'Xbad'] }), BAD)).toMatch(/"Xbad"/);
    rejects(() => validateAppRule({ name: 'r', allowedAppIDs: ['rold'] }), BAD);
    rejects(() => compileAppRule({ name: 'r', allowedAppIDs: ['?'] }), BAD);
  });

  it('TS-0004 Table 8.2.3-5: short names apci / aai / aae / ari are read from the resource', () => {
    const rule = appRuleFromResource({
      rn: 'rule1',
      apci: ['12-*@mef.m2msec.org'],
      aai: ['Nmeter*'],
      aae: ['C*'],
      ari: ['role1@aa.org'],
    });
    expect(rule).toEqual({
      name: 'rule1',
      applicableCredIDs: ['12-*@mef.m2msec.org'],
      allowedAppIDs: ['Nmeter*'],
      allowedAEs: ['C*'],
      allowedRoleIDs: ['role1@aa.org'],
    });
  });

  it('TS-0004 Table 7.4.29.1-3: every list is m2m:listOfM2MID; other shapes and empty entries are 4000', () => {
    rejects(() => appRuleFromResource({ rn: 'r', apci: '12-x' }), BAD);
    rejects(() => appRuleFromResource({ rn: 'r', aae: ['C*', ''] }), BAD);
    rejects(() => appRuleFromResource({ rn: 'r', aai: [7] }), BAD);
    rejects(() => appRuleFromResource({ rn: 'r', ari: {} }), BAD);
  });
});

describe('registration gating (TS-0001 10.2.2.2 step 003, TS-0004 7.3.2.7)', () => {
  it('TS-0001 9.6.29: a rule listing the credential with wildcards allows the registration', () => {
    expect(checkAeRegistration(claim({}), psk).rule.rule.name).toBe('psk');
  });

  it('TS-0004 7.3.2.7: no linked rule is 4126', () => {
    expect(rejects(() => checkAeRegistration(claim({}), []), RULE_FAILED)).toMatch(
      /no <serviceSubscribedAppRule> is linked/,
    );
  });

  it('TS-0001 Table 9.6.29-2 applicableCredIDs: a credential no rule lists is 4126 naming applicableCredIDs', () => {
    expect(
      rejects(() => checkAeRegistration(claim({ credentialId: '12-other@onem2m.com' }), psk), RULE_FAILED),
    ).toMatch(/credential-ID "12-other@onem2m.com" in applicableCredIDs/);
  });

  it('TS-0001 Table 9.6.29-2 applicableCredIDs: wildcards within an element (C123*X form)', () => {
    const rules = compile({
      name: 'mef',
      applicableCredIDs: ['12-dev*@mef.m2msec.org'],
      allowedAppIDs: ['*'],
      allowedAEs: ['*'],
    });
    const id = parseCredentialId('12-dev-0042@MEF.m2msec.org').id;
    expect(checkAeRegistration(claim({ credentialId: id }), rules).rule.rule.name).toBe('mef');
    rejects(() => checkAeRegistration(claim({ credentialId: '12-gw-1@mef.m2msec.org' }), rules), RULE_FAILED);
  });

  it('TS-0001 9.6.29: without a security association only rules without applicableCredIDs apply', () => {
    const open = compile({ name: 'open', allowedAppIDs: ['N*'], allowedAEs: ['C*'] });
    expect(checkAeRegistration(claim({ credentialId: undefined }), open).rule.rule.name).toBe('open');
    // '*' means any credential ID, not "no association" (choice, README)
    const star = compile({ name: 'star', applicableCredIDs: ['*'], allowedAppIDs: ['*'], allowedAEs: ['*'] });
    expect(rejects(() => checkAeRegistration(claim({ credentialId: undefined }), star), RULE_FAILED)).toMatch(
      /without a security association/,
    );
    // and a rule for unauthenticated registrations does not serve an association
    expect(rejects(() => checkAeRegistration(claim({}), open), RULE_FAILED)).toMatch(/applicableCredIDs/);
    expect(checkAeRegistration(claim({}), star).rule.rule.name).toBe('star');
  });

  it('TS-0001 Table 9.6.29-2 allowedApp-IDs: an App-ID outside the list is 4126 naming the rule', () => {
    const rules = compile({
      name: 'meters',
      applicableCredIDs: ['*'],
      allowedAppIDs: ['Nmeter*', 'R123*X'],
      allowedAEs: ['*'],
    });
    expect(checkAeRegistration(claim({ appId: 'Nmeter-2' }), rules)).toBeDefined();
    expect(checkAeRegistration(claim({ appId: 'R123abcX' }), rules)).toBeDefined();
    expect(rejects(() => checkAeRegistration(claim({ appId: 'Nlamp' }), rules), RULE_FAILED)).toBe(
      'App-ID "Nlamp" is not in allowedApp-IDs of rule(s) "meters"',
    );
  });

  it("TS-0001 Table 9.6.29-2 allowedAEs: 'C*' allows CSE-assigned stems only, 'S*' SP-assigned only", () => {
    const rules = compile({ name: 'c-only', applicableCredIDs: ['*'], allowedAppIDs: ['*'], allowedAEs: ['C*'] });
    expect(checkAeRegistration(claim({ aeIdStem: 'Cxyz' }), rules)).toBeDefined();
    expect(rejects(() => checkAeRegistration(claim({ aeIdStem: 'Sxyz' }), rules), RULE_FAILED)).toMatch(
      /AE-ID-Stem "Sxyz" is not in allowedAEs of rule\(s\) "c-only"/,
    );
  });

  it('TS-0001 Table 9.6.29-2 allowedAEs: specific stems and C123*X ranges', () => {
    const rules = compile({
      name: 'r',
      applicableCredIDs: ['*'],
      allowedAppIDs: ['*'],
      allowedAEs: ['Sfixed', 'C123*X'],
    });
    expect(checkAeRegistration(claim({ aeIdStem: 'Sfixed' }), rules)).toBeDefined();
    expect(checkAeRegistration(claim({ aeIdStem: 'C123-7X' }), rules)).toBeDefined();
    rejects(() => checkAeRegistration(claim({ aeIdStem: 'Sfixed2' }), rules), RULE_FAILED);
    rejects(() => checkAeRegistration(claim({ aeIdStem: 'C1234' }), rules), RULE_FAILED);
  });

  it('TS-0001 10.2.2.2 step 003: a From without a stem is checked with the stem the registrar assigned', () => {
    const rules = compile({ name: 'c', applicableCredIDs: ['*'], allowedAppIDs: ['*'], allowedAEs: ['C*'] });
    const assigned = assignAeId(undefined, { spId: 'm2msec.org', cseId: '/id-in', cseType: 'IN' });
    if (assigned.action === 'request-from-in-cse') throw new Error('unexpected');
    expect(checkAeRegistration(claim({ aeIdStem: assigned.stem, stemRequested: false }), rules)).toBeDefined();
    const s = assignAeId('S', { spId: 'm2msec.org', cseId: '/id-in', cseType: 'IN' });
    if (s.action === 'request-from-in-cse') throw new Error('unexpected');
    rejects(() => checkAeRegistration(claim({ aeIdStem: s.stem, stemRequested: false }), rules), RULE_FAILED);
  });

  it('TS-0001 Table 9.6.29-2: absent allowedApp-IDs / allowedAEs allow nothing (choice, README)', () => {
    rejects(
      () => checkAeRegistration(claim({}), compile({ name: 'a', applicableCredIDs: ['*'], allowedAEs: ['*'] })),
      RULE_FAILED,
    );
    rejects(
      () => checkAeRegistration(claim({}), compile({ name: 'b', applicableCredIDs: ['*'], allowedAppIDs: ['*'] })),
      RULE_FAILED,
    );
  });

  it('TS-0001 10.2.2.2 step 003: any one matching rule allows; the message names the furthest failure', () => {
    const rules = compile(
      { name: 'other-cred', applicableCredIDs: ['12-x@y.org'], allowedAppIDs: ['*'], allowedAEs: ['*'] },
      { name: 'wrong-app', applicableCredIDs: ['12-test@*'], allowedAppIDs: ['Nlamp'], allowedAEs: ['*'] },
      { name: 'wrong-ae', applicableCredIDs: ['*'], allowedAppIDs: ['Nmeter'], allowedAEs: ['S*'] },
    );
    expect(rejects(() => checkAeRegistration(claim({}), rules), RULE_FAILED)).toMatch(
      /allowedAEs of rule\(s\) "wrong-ae"/,
    );
    const withMatch = [
      ...rules,
      ...compile({ name: 'good', applicableCredIDs: ['*'], allowedAppIDs: ['N*'], allowedAEs: ['C*'] }),
    ];
    expect(checkAeRegistration(claim({}), withMatch).rule.rule.name).toBe('good');
  });

  it('TS-0001 9.6.29 allowedRole-IDs: not a registration condition; returned with the granting rule', () => {
    const rules = compile({
      name: 'r',
      applicableCredIDs: ['*'],
      allowedAppIDs: ['*'],
      allowedAEs: ['*'],
      allowedRoleIDs: ['op@aa.org'],
    });
    expect(checkAeRegistration(claim({}), rules).rule.rule.allowedRoleIDs).toEqual(['op@aa.org']);
  });
});

describe('certificate attributes (TS-0001 10.2.2.2 step 003)', () => {
  it('TS-0001 10.2.2.2 step 003: certificate App-ID and AE-ID-Stem equal to the request pass', () => {
    const c = claim({ certificate: { appId: 'Nmeter', aeIdStem: 'Cabc' } });
    expect(checkAeRegistration(c, psk)).toBeDefined();
  });

  it("TS-0001 10.2.2.2 step 003: an App-ID differing from the certificate's is 4126, whatever the rules allow", () => {
    const c = claim({ certificate: { appId: 'Nlamp' } });
    expect(rejects(() => checkAeRegistration(c, psk), RULE_FAILED)).toMatch(/App-ID "Nmeter" differs .* certificate/);
  });

  it("TS-0001 10.2.2.2 step 003: an AE-ID-Stem differing from the certificate's, or none in From, is 4126", () => {
    expect(
      rejects(() => checkAeRegistration(claim({ certificate: { aeIdStem: 'Cother' } }), psk), RULE_FAILED),
    ).toMatch(/AE-ID-Stem "Cother" of the association's certificate, got "Cabc"/);
    const assignedOnly = claim({ aeIdStem: 'Cabc', stemRequested: false, certificate: { aeIdStem: 'Cabc' } });
    expect(rejects(() => checkAeRegistration(assignedOnly, psk), RULE_FAILED)).toMatch(/got none/);
  });

  it('TS-0004 7.3.2.7: a matching certificate still needs a matching rule', () => {
    const c = claim({ credentialId: '12-nobody@x.org', certificate: { appId: 'Nmeter', aeIdStem: 'Cabc' } });
    rejects(() => checkAeRegistration(c, psk), RULE_FAILED);
  });
});
