// The explainer names the permitting rule, and on a denial says why each rule does not permit.
import { describe, expect, it } from 'vitest';
import { explainDecision } from '../src/index.js';

const ctx = { spId: 'm2msec.org', cseId: '/id-in' };
const acp = (acr: unknown[]) => ({ ri: 'acp1', pv: { acr } });

describe('explainDecision', () => {
  it('names the first rule that permits (permit-overrides)', () => {
    const e = explainDecision(
      [
        acp([
          { acor: ['Cother'], acop: 63 },
          { acor: ['Cdev'], acop: 2 },
        ]),
      ],
      'pv',
      { originator: '/id-in/Cdev', operation: 2, authenticated: true },
      ctx,
    );
    expect(e).toMatchObject({ permit: true, rule: 'acp1.pv.acr[1]' });
    expect(e.rules[0]).toMatchObject({ permits: false, reason: 'acor does not name /id-in/Cdev' });
  });
  it('denies with the reason of each rule: operation, acaf', () => {
    const e = explainDecision(
      [
        acp([
          { acor: ['Cdev'], acop: 2 },
          { acor: ['Cdev'], acop: 1, acaf: true },
        ]),
      ],
      'pv',
      { originator: '/id-in/Cdev', operation: 1, authenticated: false },
      ctx,
    );
    expect(e.permit).toBe(false);
    expect(e.rule).toBeUndefined();
    expect(e.rules.map((r) => r.reason)).toEqual([
      'acop 2 does not include operation 1',
      'acaf requires an authenticated request',
    ]);
  });
  it('a malformed rule never permits; no rules deny', () => {
    expect(
      explainDecision(
        [acp([{ acor: [], acop: 63 }])],
        'pv',
        { originator: '/id-in/C', operation: 1, authenticated: true },
        ctx,
      ).permit,
    ).toBe(false);
    expect(
      explainDecision([], 'pv', { originator: '/id-in/C', operation: 1, authenticated: true }, ctx).reason,
    ).toMatch(/no pv rule/);
  });
  it('pvs is a separate set', () => {
    const p = { ri: 'acp1', pv: { acr: [{ acor: ['C'], acop: 63 }] }, pvs: { acr: [{ acor: ['CAdmin'], acop: 63 }] } };
    expect(explainDecision([p], 'pvs', { originator: '/id-in/C', operation: 4, authenticated: true }, ctx).permit).toBe(
      false,
    );
    expect(
      explainDecision([p], 'pvs', { originator: '/id-in/CAdmin', operation: 4, authenticated: true }, ctx).rule,
    ).toBe('acp1.pvs.acr[0]');
  });
});
