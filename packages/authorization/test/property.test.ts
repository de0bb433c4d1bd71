// Property: for any rules and any request, the compiled matcher and a direct reading of the TS-0003
// 7.1.5 formula (test/reference.ts) agree.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type AccessRequest, compileRuleSet, parseRequestIp, requestTime } from '../src/index.js';
import { type RefRequest, type RefRule, referenceDecision } from './reference.js';

const ctx = { spId: 'm2msec.org', cseId: '/id-in' };

const originators = [
  '/id-in/Cae1',
  '/id-in/Cae2',
  '/id-in/Cmeter7',
  '/id-mn',
  '/id-mn/Cx9',
  '/Sapp1',
  '//other.org/id-x/Cfoo',
  '//other.org/id-x',
  '//iot.example.org/id-y/Cbar',
  'newname',
];
const acorPool = [
  'all',
  'Cae1',
  '/id-in/Cae2',
  '//m2msec.org/id-mn',
  '//m2msec.org/id-in/Cmeter*',
  '/id-*',
  '/id-*/C*',
  '//*/id-x/C*',
  '//other.org',
  '//*.org',
  '//m2msec.org',
  '/S*',
  'Sapp1',
  'role1@aa.example.com',
  'role2@aa.example.com',
  'grp001',
  '/id-in/grp002',
  'cse-in/g3',
  '//other.org/id-x/Cfoo',
  '//*/id-y/C*r',
];
const actwPool = [
  '* * * * * * *',
  '* 0-5 2,6,10 * * * *',
  '*/2 * * * * * *',
  '* * 8-20 * * 1-5 *',
  '0-29 * * * * * 2020-2030',
  '* * * 1,15 * * *',
  '* 30-59 * * 6 0,6 *',
  '5-50/5 */7 0-23/3 * 1-12/2 * *',
];
const acipPool = [
  { ipv4: ['10.0.0.0/8'] },
  { ipv4: ['192.168.1.7'] },
  { ipv6: ['fd00::/8'] },
  { ipv4: ['127.0.0.0/8'], ipv6: ['::1/128'] },
  { ipv4: ['0.0.0.0/0'] },
  { ipv6: ['2001:db8::/32', '2001:db8:ab::/48'] },
  { ipv4: ['172.16.0.0/12', '100.64.0.0/10'] },
];
const aclrPool = [
  { accr: [48.8566, 2.3522, 50_000] },
  { accr: [51.5, -0.12, 1_000_000] },
  { accc: ['FR'] },
  { accc: ['DE', 'US'] },
  { accr: [0, 0, 0] },
  { accc: ['ES', 'IT', 'CH'] },
];
const acodPool = [
  { chty: [3, 4] },
  { ty: 2, chty: [3] },
  { ty: 5, chty: [2, 3] },
  { ty: 28, spty: 'org.example.x', chty: [28] },
];
const ipPool = [
  '10.1.2.3',
  '192.168.1.7',
  '127.0.0.1',
  '::1',
  'fd12::5',
  '2001:db8:ab::1',
  '::ffff:10.9.9.9',
  '8.8.8.8',
];

const some = <T>(pool: readonly T[], max: number) => fc.uniqueArray(fc.constantFrom(...pool), { maxLength: max });

const rule: fc.Arbitrary<RefRule> = fc.record(
  {
    acor: fc.uniqueArray(fc.constantFrom(...acorPool), { minLength: 1, maxLength: 4 }),
    acop: fc.integer({ min: 1, max: 63 }),
    acaf: fc.boolean(),
    acco: fc.array(
      fc.record(
        { actw: some(actwPool, 2), acip: fc.constantFrom(...acipPool), aclr: fc.constantFrom(...aclrPool) },
        { requiredKeys: [] },
      ),
      { maxLength: 2 },
    ),
    acod: fc.array(fc.constantFrom(...acodPool), { maxLength: 2 }),
  },
  { requiredKeys: ['acor', 'acop'] },
);

const request: fc.Arbitrary<RefRequest> = fc.record(
  {
    originator: fc.constantFrom(...originators),
    operation: fc.constantFrom(1, 2, 4, 8, 16, 32),
    authenticated: fc.boolean(),
    resourceType: fc.constantFrom(2, 3, 4, 23, 28),
    targetType: fc.constantFrom(2, 3, 5, 28),
    specialization: fc.constantFrom('org.example.x', 'other', 7),
    time: fc.date({
      min: new Date('2019-01-01T00:00:00Z'),
      max: new Date('2031-12-31T23:59:59Z'),
      noInvalidDate: true,
    }),
    ip: fc.oneof(fc.constantFrom(...ipPool), fc.ipV4()),
    location: fc.oneof(
      fc.record({
        latitude: fc.double({ min: 35, max: 60, noNaN: true }),
        longitude: fc.double({ min: -10, max: 20, noNaN: true }),
      }),
      fc.record({
        latitude: fc.double({ min: 48.4, max: 49.3, noNaN: true }),
        longitude: fc.double({ min: 1.7, max: 3, noNaN: true }),
      }),
      fc.record({
        latitude: fc.double({ min: 25, max: 49, noNaN: true }),
        longitude: fc.double({ min: -124, max: -67, noNaN: true }),
      }),
    ),
    roles: some(['role1@aa.example.com', 'role2@aa.example.com', 'role3@bb.example.com'], 2),
    groups: some(['grp001', '/id-in/grp002', 'cse-in/g3'], 2),
  },
  { requiredKeys: ['originator', 'operation', 'authenticated'] },
);

function toAccessRequest(r: RefRequest): AccessRequest {
  return {
    originator: r.originator,
    operation: r.operation,
    authenticated: r.authenticated,
    resourceType: r.resourceType,
    targetType: r.targetType,
    specialization: r.specialization,
    time: r.time ? requestTime(r.time) : undefined,
    ip: parseRequestIp(r.ip),
    location: r.location,
    roles: r.roles ? new Set(r.roles) : undefined,
    groups: r.groups ? new Set(r.groups) : undefined,
  };
}

describe('compiled rules agree with the TS-0003 7.1.5 reference algorithm', () => {
  it('for random rule sets and requests', () => {
    fc.assert(
      fc.property(
        fc.array(rule, { maxLength: 4 }),
        fc.array(request, { minLength: 1, maxLength: 8 }),
        (rules, reqs) => {
          const compiled = compileRuleSet({ acr: rules }, ctx);
          for (const r of reqs) expect(compiled.permits(toAccessRequest(r))).toBe(referenceDecision(rules, r, ctx));
        },
      ),
      { numRuns: 400 },
    );
  });

  it('for single rules with one context each (higher hit rate on the context parts)', () => {
    const single = rule.map((r) => ({ ...r, acor: ['all'], acaf: false, acod: [] }));
    fc.assert(
      fc.property(single, fc.array(request, { minLength: 1, maxLength: 16 }), (r, reqs) => {
        const compiled = compileRuleSet({ acr: [r] }, ctx);
        let permits = 0;
        for (const q of reqs) {
          const got = compiled.permits(toAccessRequest(q));
          expect(got).toBe(referenceDecision([r], q, ctx));
          if (got) permits++;
        }
        return permits >= 0;
      }),
      { numRuns: 400 },
    );
  });

  it('a missing context value never permits a rule that constrains it (fail closed)', () => {
    fc.assert(
      fc.property(rule, request, (r, q) => {
        const compiled = compileRuleSet({ acr: [r] }, ctx);
        const constrained =
          (r.acco ?? []).length > 0 && (r.acco ?? []).every((m) => m.acip || m.aclr || (m.actw ?? []).length > 0);
        if (!constrained) return;
        expect(compiled.permits({ ...toAccessRequest(q), time: undefined, ip: undefined, location: undefined })).toBe(
          false,
        );
      }),
      { numRuns: 300 },
    );
  });
});
