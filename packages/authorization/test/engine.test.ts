import { AccessControlOperation as Op } from '@m2msec/protocol';
import { describe, expect, it } from 'vitest';
import { AccessDecisionEngine, type AccessControlPolicyResource } from '../src/index.js';

const ctx = { spId: 'm2msec.org', cseId: '/id-in' };
const req = (originator: string, operation: number, authenticated = false) => ({ originator, operation, authenticated });

function acp(ri: string, pv: object[], pvs: object[] = [], lt = '20260101T000000'): AccessControlPolicyResource {
  return { ri, lt, pv: { acr: pv as never }, pvs: { acr: pvs as never } };
}

describe('access decision (TS-0003 7.1.5)', () => {
  const engine = new AccessDecisionEngine(ctx);

  it("acor 'all' permits any originator for the granted operations only", () => {
    const p = [acp('acp1', [{ acor: ['all'], acop: Op.RETRIEVE }])];
    expect(engine.permits(p, 'pv', req('/id-in/Cany', Op.RETRIEVE))).toBe(true);
    expect(engine.permits(p, 'pv', req('/id-in/Cany', Op.UPDATE))).toBe(false);
  });

  it('exact originators match across CSE-relative, SP-relative and absolute forms', () => {
    const p = [acp('acp2', [{ acor: ['Cabc', '//m2msec.org/id-mn', '/id-in/Cdef'], acop: 63 }])];
    expect(engine.permits(p, 'pv', req('/id-in/Cabc', Op.CREATE))).toBe(true);
    expect(engine.permits(p, 'pv', req('/id-mn', Op.DELETE))).toBe(true);
    expect(engine.permits(p, 'pv', req('/id-in/Cdef', Op.NOTIFY))).toBe(true);
    expect(engine.permits(p, 'pv', req('/id-in/Cxyz', Op.RETRIEVE))).toBe(false);
    expect(engine.permits(p, 'pv', req('/id-other/Cabc', Op.RETRIEVE))).toBe(false);
  });

  it('acop is a bitmask: DISCOVERY (32) is distinct from RETRIEVE (2)', () => {
    const p = [acp('acp3', [{ acor: ['all'], acop: Op.DISCOVERY }])];
    expect(engine.permits(p, 'pv', req('/id-in/Ca', Op.DISCOVERY))).toBe(true);
    expect(engine.permits(p, 'pv', req('/id-in/Ca', Op.RETRIEVE))).toBe(false);
  });

  it('acaf=true requires rq_authn; absent acaf means no requirement', () => {
    const p = [acp('acp4', [{ acor: ['all'], acop: 2, acaf: true }])];
    expect(engine.permits(p, 'pv', req('/id-in/Ca', 2, false))).toBe(false);
    expect(engine.permits(p, 'pv', req('/id-in/Ca', 2, true))).toBe(true);
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

  it('a rule with contexts it cannot evaluate yet fails closed', () => {
    const p = [acp('d', [{ acor: ['all'], acop: 63, acco: [{ actw: ['* * * * * * *'] }] }])];
    expect(engine.permits(p, 'pv', req('/id-in/Cy', 2))).toBe(false);
  });

  it('malformed acor entries never match', () => {
    const p = [acp('e', [{ acor: ['bad id with spaces', ''], acop: 63 }])];
    expect(engine.permits(p, 'pv', req('bad id with spaces', 2))).toBe(false);
  });

  it('recompiles a policy when its lastModifiedTime changes', () => {
    const e = new AccessDecisionEngine(ctx);
    expect(e.permits([acp('f', [{ acor: ['Cx'], acop: 2 }], [], 't1')], 'pv', req('/id-in/Cx', 2))).toBe(true);
    expect(e.permits([acp('f', [{ acor: ['Cy'], acop: 2 }], [], 't2')], 'pv', req('/id-in/Cx', 2))).toBe(false);
  });
});
