import { AccessControlOperation as Op } from '@m2msec/protocol';
import { describe, expect, it } from 'vitest';
import {
  type AccessControlPolicyResource,
  AccessControlRuleError,
  AccessDecisionEngine,
  type AccessRequest,
  checkSetOfAcrs,
  classifyAcorEntry,
  compileRuleSet,
  parseRequestIp,
  requestTime,
} from '../src/index.js';

const ctx = { spId: 'm2msec.org', cseId: '/id-in' };
const req = (originator: string, operation: number, extra: Partial<AccessRequest> = {}): AccessRequest => ({
  originator,
  operation,
  authenticated: false,
  ...extra,
});

function acp(ri: string, pv: object[], pvs: object[] = [], lt = '20260101T000000'): AccessControlPolicyResource {
  return { ri, lt, pv: { acr: pv as never }, pvs: { acr: pvs as never } };
}

describe('access decision (TS-0003 7.1.4 / 7.1.5)', () => {
  const engine = new AccessDecisionEngine(ctx);

  it("acor 'all' permits any originator for the granted operations only", () => {
    const p = [acp('acp1', [{ acor: ['all'], acop: Op.RETRIEVE }])];
    expect(engine.permits(p, 'pv', req('/id-in/Cany', Op.RETRIEVE))).toBe(true);
    expect(engine.permits(p, 'pv', req('/id-in/Cany', Op.UPDATE))).toBe(false);
  });

  it('acop is a bitmask: DISCOVERY (32) is distinct from RETRIEVE (2)', () => {
    const p = [acp('acp3', [{ acor: ['all'], acop: Op.DISCOVERY }])];
    expect(engine.permits(p, 'pv', req('/id-in/Ca', Op.DISCOVERY))).toBe(true);
    expect(engine.permits(p, 'pv', req('/id-in/Ca', Op.RETRIEVE))).toBe(false);
  });

  it('acaf=true requires rq_authn; absent or false acaf admits both (Table 7.1.5-1)', () => {
    const p = [acp('acp4', [{ acor: ['all'], acop: 2, acaf: true }])];
    expect(engine.permits(p, 'pv', req('/id-in/Ca', 2))).toBe(false);
    expect(engine.permits(p, 'pv', req('/id-in/Ca', 2, { authenticated: true }))).toBe(true);
    const q = [acp('acp4b', [{ acor: ['all'], acop: 2, acaf: false }])];
    expect(engine.permits(q, 'pv', req('/id-in/Ca', 2))).toBe(true);
    expect(engine.permits(q, 'pv', req('/id-in/Ca', 2, { authenticated: true }))).toBe(true);
  });

  it('pv and pvs are separate privilege sets', () => {
    const p = [acp('acp5', [{ acor: ['all'], acop: 63 }], [{ acor: ['CAdmin'], acop: 63 }])];
    expect(engine.permits(p, 'pv', req('/id-in/Cx', Op.UPDATE))).toBe(true);
    expect(engine.permits(p, 'pvs', req('/id-in/Cx', Op.UPDATE))).toBe(false);
    expect(engine.permits(p, 'pvs', req('/id-in/CAdmin', Op.UPDATE))).toBe(true);
  });

  it('permit-overrides across rules and policies; no rules deny', () => {
    const p = [acp('a', [{ acor: ['Cx'], acop: 2 }]), acp('b', [{ acor: ['Cy'], acop: 2 }])];
    expect(engine.permits(p, 'pv', req('/id-in/Cy', 2))).toBe(true);
    expect(engine.permits([acp('c', [])], 'pv', req('/id-in/Cy', 2))).toBe(false);
    expect(engine.permits([], 'pv', req('/id-in/Cy', 2))).toBe(false);
  });

  it('a rule with a context fails closed when the request value is unknown', () => {
    const p = [acp('d', [{ acor: ['all'], acop: 63, acco: [{ actw: ['* * * * * * *'] }] }])];
    expect(engine.permits(p, 'pv', req('/id-in/Cy', 2))).toBe(false);
    expect(engine.permits(p, 'pv', req('/id-in/Cy', 2, { time: requestTime(new Date()) }))).toBe(true);
    const q = [acp('d2', [{ acor: ['all'], acop: 63, acco: [{ acip: { ipv4: ['0.0.0.0/0'] } }] }])];
    expect(engine.permits(q, 'pv', req('/id-in/Cy', 2))).toBe(false);
    expect(engine.permits(q, 'pv', req('/id-in/Cy', 2, { ip: parseRequestIp('192.0.2.1') }))).toBe(true);
  });

  it('contexts: OR over entries, AND inside an entry', () => {
    const rules = [
      {
        acor: ['all'],
        acop: 2,
        acco: [{ actw: ['* * 8-17 * * * *'], acip: { ipv4: ['10.0.0.0/8'] } }, { acip: { ipv4: ['192.168.0.0/16'] } }],
      },
    ];
    const set = compileRuleSet({ acr: rules }, ctx);
    const t9 = requestTime(new Date('2026-05-05T09:00:00Z'));
    const t20 = requestTime(new Date('2026-05-05T20:00:00Z'));
    expect(set.permits(req('/id-in/C1', 2, { time: t9, ip: parseRequestIp('10.1.1.1') }))).toBe(true);
    expect(set.permits(req('/id-in/C1', 2, { time: t20, ip: parseRequestIp('10.1.1.1') }))).toBe(false);
    expect(set.permits(req('/id-in/C1', 2, { time: t20, ip: parseRequestIp('192.168.3.3') }))).toBe(true);
  });

  it('acod applies to CREATE only: target type, specialization and child type (TS-0003 7.1.5 res_objd)', () => {
    const set = compileRuleSet(
      {
        acr: [
          { acor: ['all'], acop: Op.CREATE | Op.RETRIEVE, acod: [{ ty: 2, chty: [3] }, { chty: [23] }] },
          { acor: ['all'], acop: Op.CREATE, acod: [{ ty: 28, spty: 'org.example.temp', chty: [28] }] },
        ],
      },
      ctx,
    );
    const create = (resourceType: number, targetType: number, specialization?: string) =>
      req('/id-in/C1', Op.CREATE, { resourceType, targetType, specialization });
    expect(set.permits(create(3, 2))).toBe(true); // container under an AE
    expect(set.permits(create(3, 5))).toBe(false); // container under the CSEBase
    expect(set.permits(create(23, 5))).toBe(true); // subscription anywhere
    expect(set.permits(create(4, 2))).toBe(false); // contentInstance: not listed
    expect(set.permits(create(28, 28, 'org.example.temp'))).toBe(true);
    expect(set.permits(create(28, 28, 'org.example.other'))).toBe(false);
    expect(set.permits(req('/id-in/C1', Op.RETRIEVE))).toBe(true); // res_objd is TRUE for other operations
  });

  it('compiles a policy once per modification: same lt reuses the compiled form, a new lt recompiles', () => {
    const e = new AccessDecisionEngine(ctx);
    const first = e.compiled(acp('f', [{ acor: ['Cx'], acop: 2 }], [], 't1'));
    expect(e.compiled(acp('f', [{ acor: ['Cx'], acop: 2 }], [], 't1'))).toBe(first);
    expect(e.permits([acp('f', [{ acor: ['Cy'], acop: 2 }], [], 't2')], 'pv', req('/id-in/Cx', 2))).toBe(false);
    expect(e.compiled(acp('f', [{ acor: ['Cy'], acop: 2 }], [], 't2'))).not.toBe(first);
    e.forget('f');
  });

  it('select() reports what the caller must resolve: group candidates, location, Role-IDs', () => {
    const s = engine.select(
      [
        acp('s1', [{ acor: ['grp1', 'r1@aa.example.com'], acop: 2 }]),
        acp('s2', [{ acor: ['all'], acop: 2, acco: [{ aclr: { accc: ['FR'] } }] }]),
      ],
      'pv',
    );
    expect(s.groupCandidates).toEqual(['grp1']);
    expect(s.roleIds).toEqual(['r1@aa.example.com']);
    expect(s.needsLocation).toBe(true);
    expect(s.permits(req('/id-in/Cx', 2, { groups: new Set(['grp1']) }))).toBe(true);
    expect(s.permits(req('/id-in/Cx', 2, { location: { latitude: 48.85, longitude: 2.35 } }))).toBe(true);
    expect(s.permits(req('/id-in/Cx', 2, { location: { latitude: 52.5, longitude: 13.4 } }))).toBe(false);
  });
});

describe('accessControlOriginators forms (TS-0003 Table 7.1.3-2, TS-0004 Table 7.3.3.15-1)', () => {
  const permits = (acor: string[], originator: string, extra: Partial<AccessRequest> = {}) =>
    compileRuleSet({ acr: [{ acor, acop: 2 }] }, ctx).permits(req(originator, 2, extra));

  it('CSE-IDs and AE-IDs match in absolute, SP-relative and CSE-relative forms', () => {
    for (const e of ['Cabc', '/id-in/Cabc', '//m2msec.org/id-in/Cabc']) expect(permits([e], '/id-in/Cabc')).toBe(true);
    for (const e of ['/id-mn', '//m2msec.org/id-mn']) expect(permits([e], '/id-mn')).toBe(true);
    for (const e of ['Sapp', '/Sapp', '//m2msec.org/Sapp']) expect(permits([e], '/Sapp')).toBe(true);
    expect(permits(['Cabc'], '/id-mn/Cabc')).toBe(false); // same stem, other registrar
    expect(permits(['//other.org/id-in/Cabc'], '/id-in/Cabc')).toBe(false); // other SP
    expect(permits(['//other.org/id-in/Cabc'], '//other.org/id-in/Cabc')).toBe(true);
  });

  it('a wildcard stands for any characters up to the next /', () => {
    expect(permits(['/id-in/C98*'], '/id-in/C9886')).toBe(true);
    expect(permits(['/myCSE*/C98*'], '/myCSE1/C9886')).toBe(true);
    expect(permits(['//*/myCSE*/C9886'], '//other.org/myCSE7/C9886')).toBe(true);
    expect(permits(['/SmyAE*'], '/SmyAE12')).toBe(true);
    expect(permits(['/SmyAE*'], '/id-in/SmyAE12')).toBe(false);
    // The scope of '*' ends at '/': '/id-*' names CSEs, never their AEs.
    expect(permits(['/id-*'], '/id-mn')).toBe(true);
    expect(permits(['/id-*'], '/id-mn/Cx')).toBe(false);
    expect(permits(['//*/id-in'], '//m2msec.org/id-in/Cx')).toBe(false);
  });

  it('an SP domain admits every CSE and AE of that domain, with wildcards', () => {
    expect(permits(['//m2msec.org'], '/id-in/Cx')).toBe(true);
    expect(permits(['//m2msec.org'], '/id-mn')).toBe(true);
    expect(permits(['//m2msec.org'], '//other.org/id-x')).toBe(false);
    expect(permits(['//*.org'], '//other.org/id-x/Cy')).toBe(true);
    expect(permits(['//*.com'], '//other.org/id-x/Cy')).toBe(false);
  });

  it('group resource IDs admit the members the caller resolved; Role-IDs admit holders of the role', () => {
    expect(permits(['grp123'], '/id-in/Cx')).toBe(false);
    expect(permits(['grp123'], '/id-in/Cx', { groups: new Set(['grp123']) })).toBe(true);
    expect(permits(['cse-in/team'], '/id-in/Cx', { groups: new Set(['cse-in/team']) })).toBe(true);
    expect(permits(['operator@aa.example.com'], '/id-in/Cx')).toBe(false);
    expect(permits(['operator@aa.example.com'], '/id-in/Cx', { roles: new Set(['operator@aa.example.com']) })).toBe(
      true,
    );
  });

  it('classifies every entry form', () => {
    expect(classifyAcorEntry('all', ctx)).toEqual({ kind: 'all' });
    expect(classifyAcorEntry('//m2msec.org', ctx)).toEqual({ kind: 'domain', pattern: 'm2msec.org' });
    expect(classifyAcorEntry('Cabc', ctx)).toEqual({ kind: 'id', spRelative: '/id-in/Cabc' });
    expect(classifyAcorEntry('/id-*/C*', ctx)).toEqual({ kind: 'id-wildcard', segments: ['m2msec.org', 'id-*', 'C*'] });
    expect(classifyAcorEntry('grp1', ctx)).toEqual({ kind: 'group', id: 'grp1' });
    expect(classifyAcorEntry('/id-in/grp1', ctx)).toEqual({ kind: 'group', id: '/id-in/grp1' });
    expect(classifyAcorEntry('r1@aa.example.com', ctx)).toEqual({ kind: 'role', roleId: 'r1@aa.example.com' });
  });

  it.each([
    ['', 'non-empty'],
    ['bad id', 'unreserved'],
    ['grp*', 'wildcard'],
    ['r1@AA.example.com', 'Role-ID'],
    ['/a//b', 'empty segment'],
    ['/*/*/*/*', 'wildcard'],
  ])('refuses the acor entry %j (%s)', (entry, words) => {
    expect(() => classifyAcorEntry(entry, ctx, 'acor[0]')).toThrow(AccessControlRuleError);
    expect(() => classifyAcorEntry(entry, ctx, 'acor[0]')).toThrow(words);
  });

  it('a malformed stored entry never matches and does not disable the others', () => {
    expect(permits(['bad id with spaces', 'Cx'], '/id-in/Cx')).toBe(true);
    expect(permits(['bad id with spaces'], 'bad id with spaces')).toBe(false);
  });
});

describe('checkSetOfAcrs: precise validation for <accessControlPolicy> CREATE / UPDATE', () => {
  it.each([
    [{ acr: [{ acor: [], acop: 2 }] }, 'pv.acr[0].acor is mandatory'],
    [{ acr: [{ acor: ['all'], acop: 64 }] }, 'pv.acr[0].acop'],
    [{ acr: [{ acor: ['all'], acop: 2, acaf: 'yes' }] }, 'pv.acr[0].acaf must be a boolean'],
    [{ acr: [{ acor: ['all'], acop: 2, acco: [{ actw: ['* * *'] }] }] }, 'pv.acr[0].acco[0].actw[0]'],
    [
      { acr: [{ acor: ['all'], acop: 2, acco: [{ acip: { ipv4: ['300.0.0.1'] } }] }] },
      'pv.acr[0].acco[0].acip.ipv4[0]',
    ],
    [{ acr: [{ acor: ['all'], acop: 2, acco: [{ aclr: { accr: [0, 0] } }] }] }, 'pv.acr[0].acco[0].aclr.accr'],
    [{ acr: [{ acor: ['all'], acop: 2, acco: [{ when: 1 }] }] }, "unknown element 'when'"],
    [{ acr: [{ acor: ['all'], acop: 2, acod: [{ ty: 2 }] }] }, 'pv.acr[0].acod[0].chty is mandatory'],
    [{ acr: [{ acor: ['all'], acop: 2, acod: [{ chty: [0] }] }] }, 'pv.acr[0].acod[0].chty[0]'],
    [
      {
        acr: [
          { acor: ['all'], acop: 2 },
          { acor: ['a b'], acop: 2 },
        ],
      },
      'pv.acr[1].acor[0]',
    ],
    [{ acr: {} }, 'pv.acr must be a list'],
    [{ acr: [], x: 1 }, "unknown element 'x'"],
  ])('%j -> %s', (set, words) => {
    expect(() => checkSetOfAcrs(set, ctx, 'pv')).toThrow(AccessControlRuleError);
    expect(() => checkSetOfAcrs(set, ctx, 'pv')).toThrow(words);
  });
});
