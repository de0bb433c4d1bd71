// The decision point (TS-0003 6.2.2 PDP): it owns policy retrieval, the creator default, groups and the
// DAS consultation through ports, and answers {permit, rule, reason}; its explain() gives the same
// Decision plus a verdict per rule. Ports here are plain maps standing for a CSE's store.
import { AccessControlOperation as Op, type Operation, ResourceType } from '@m2msec/protocol';
import { describe, expect, it } from 'vitest';
import {
  type AccessControlPolicyResource,
  AccessDecisionEngine,
  AccessDecisionPoint,
  CREATOR_DEFAULT,
  type DasClient,
  type DecisionResource,
  type DecisionSubject,
  TokenCache,
  TokenVerifier,
} from '../src/index.js';

const idContext = { spId: 'm2msec.org', cseId: '/id-in' };

type R = DecisionResource & { rn?: string };

function world() {
  const resources = new Map<string, R>();
  const put = (r: R) => {
    resources.set(r.ri, r);
    return r;
  };
  const reads = { policies: 0, groups: 0 };
  const consulted: string[] = [];
  let grant: ((governing: R) => void) | undefined;
  const das: DasClient<DecisionSubject, R> = {
    async consult(_s, target, governing) {
      consulted.push(target.ri);
      if (!grant) return false;
      grant(governing);
      return true;
    },
  };
  const pdp = new AccessDecisionPoint<DecisionSubject, R>({
    idContext,
    engine: new AccessDecisionEngine(idContext),
    policies: {
      async governing(_s, target) {
        let r: R | undefined = target;
        // a contentInstance (4) has no acpi: its parent's govern it
        while (r && r.ty === ResourceType.contentInstance) r = resources.get(r.pi);
        return r;
      },
      reread: async (_s, target) => resources.get(target.ri),
      async policies(_s, links) {
        reads.policies++;
        const out: AccessControlPolicyResource[] = [];
        for (const l of links) {
          const p = resources.get(l);
          if (p?.ty === ResourceType.accessControlPolicy) out.push(p as unknown as AccessControlPolicyResource);
        }
        return out;
      },
    },
    groups: {
      async memberOf(s, candidates) {
        reads.groups++;
        const out = new Set<string>();
        for (const c of candidates) {
          const g = resources.get(c);
          if (g?.ty === ResourceType.group && (g.mid as string[]).includes(s.originator)) out.add(c);
        }
        return out;
      },
    },
    resources: { roles: async () => [], tokens: async () => [] },
    verifier: new TokenVerifier({ idContext, issuers: [] }),
    tokenCache: new TokenCache(),
    roleIssuers: new Set(),
    das,
  });
  return {
    pdp,
    put,
    reads,
    consulted,
    setGrant: (g: typeof grant) => {
      grant = g;
    },
    resources,
  };
}

const subject = (originator: string, op = 2): DecisionSubject => ({
  req: { op: op as Operation },
  transport: { binding: 'http', peerAddress: '127.0.0.1' },
  originator,
  authenticated: true,
  now: new Date('2026-12-07T12:00:00Z'),
});

const acp = (ri: string, pv: object[], pvs: object[] = [{ acor: ['CAdmin'], acop: 63 }]): R => ({
  ri,
  pi: 'base',
  ty: ResourceType.accessControlPolicy,
  srn: `cse-in/${ri}`,
  lt: '20260101T000000',
  pv: { acr: pv },
  pvs: { acr: pvs },
});

describe('AccessDecisionPoint: {permit, rule, reason}', () => {
  it('names the first permitting rule of the linked policies, and returns the same frozen Decision each time', async () => {
    const w = world();
    w.put(
      acp('acp1', [
        { acor: ['Cother'], acop: 63 },
        { acor: ['Creader'], acop: Op.RETRIEVE },
      ]),
    );
    const cnt = w.put({ ri: 'cnt1', pi: 'base', ty: ResourceType.container, srn: 'cse-in/cnt', acpi: ['acp1'] });
    const d = await w.pdp.decide(subject('/id-in/Creader'), cnt, Op.RETRIEVE);
    expect(d).toEqual({ permit: true, rule: 'acp1.pv.acr[1]', reason: 'permitted by acp1.pv.acr[1]' });
    expect(Object.isFrozen(d)).toBe(true);
    // No Decision is made per request on a permit: the rule's own, made when the policy was compiled.
    expect(await w.pdp.decide(subject('/id-in/Creader'), cnt, Op.RETRIEVE)).toBe(d);
    const denied = await w.pdp.decide(subject('/id-in/Creader'), cnt, Op.UPDATE);
    expect(denied.permit).toBe(false);
    expect(denied.rule).toBeUndefined();
    expect(denied.reason).toMatch(/no rule/);
  });

  it('a resource without acpi is governed by its parent (TS-0001 10.2.3), and the rule says so', async () => {
    const w = world();
    w.put(acp('acp1', [{ acor: ['Creader'], acop: Op.RETRIEVE }]));
    w.put({ ri: 'cnt1', pi: 'base', ty: ResourceType.container, srn: 'cse-in/cnt', acpi: ['acp1'] });
    const cin = w.put({ ri: 'cin1', pi: 'cnt1', ty: ResourceType.contentInstance, srn: 'cse-in/cnt/cin' });
    expect((await w.pdp.decide(subject('/id-in/Creader'), cin, Op.RETRIEVE)).rule).toBe('acp1.pv.acr[0]');
  });

  it('acpi without value: only the creator, by the default policy; links to deleted policies fail closed', async () => {
    const w = world();
    const mine = w.put({ ri: 'ae1', pi: 'base', ty: ResourceType.AE, srn: 'cse-in/ae', __cr: '/id-in/Cme' });
    expect(await w.pdp.decide(subject('/id-in/Cme'), mine, Op.DELETE)).toBe(CREATOR_DEFAULT);
    expect((await w.pdp.decide(subject('/id-in/Cyou'), mine, Op.RETRIEVE)).permit).toBe(false);
    const dangling = w.put({ ...mine, ri: 'ae2', acpi: ['gone'] });
    expect((await w.pdp.decide(subject('/id-in/Cme'), dangling, Op.DELETE)).permit).toBe(false);
  });

  it('a <group> in acor permits its members, and groups are read only when a rule names a candidate', async () => {
    const w = world();
    w.put(acp('acp1', [{ acor: ['grp1'], acop: Op.RETRIEVE }]));
    w.put({ ri: 'grp1', pi: 'base', ty: ResourceType.group, srn: 'cse-in/grp', mid: ['/id-in/Cmember'] });
    const cnt = w.put({ ri: 'cnt1', pi: 'base', ty: ResourceType.container, srn: 'cse-in/cnt', acpi: ['acp1'] });
    expect((await w.pdp.decide(subject('/id-in/Cmember'), cnt, Op.RETRIEVE)).permit).toBe(true);
    expect((await w.pdp.decide(subject('/id-in/Cstranger'), cnt, Op.RETRIEVE)).permit).toBe(false);
    expect(w.reads.groups).toBe(2);
    w.put(acp('acp2', [{ acor: ['Cx'], acop: Op.RETRIEVE }]));
    const plain = w.put({ ...cnt, ri: 'cnt2', acpi: ['acp2'] });
    await w.pdp.decide(subject('/id-in/Cx'), plain, Op.RETRIEVE);
    expect(w.reads.groups).toBe(2);
  });

  it('consults the DAS only after a deny, never for a policy target, and re-decides on the granted form', async () => {
    const w = world();
    w.put(acp('acp1', [{ acor: ['Cother'], acop: 63 }], [{ acor: ['Cother'], acop: 63 }]));
    const cnt = w.put({ ri: 'cnt1', pi: 'base', ty: ResourceType.container, srn: 'cse-in/cnt', acpi: ['acp1'] });
    w.setGrant((g) => {
      w.put(acp('dyn1', [{ acor: ['Casker'], acop: Op.RETRIEVE }]));
      w.put({ ...g, __dacpi: ['dyn1'] });
    });
    const other = await w.pdp.decideWithDas(subject('/id-in/Cother'), cnt, Op.RETRIEVE);
    expect(other.permit).toBe(true);
    expect(w.consulted).toEqual([]); // permitted: no consultation
    const granted = await w.pdp.decideWithDas(subject('/id-in/Casker'), cnt, Op.RETRIEVE);
    expect(granted).toMatchObject({ permit: true, rule: 'dyn1.pv.acr[0]' });
    expect(w.consulted).toEqual(['cnt1']);
    // A request to the policy itself is decided by its selfPrivileges alone (TS-0001 10.2.3).
    const policy = w.resources.get('acp1')!;
    expect((await w.pdp.decideWithDas(subject('/id-in/Casker'), policy, Op.RETRIEVE)).permit).toBe(false);
    expect(w.consulted).toEqual(['cnt1']);
  });

  it('acpi changes: selfPrivileges (pvs) of a linked policy only, or the creator when none is linked', async () => {
    const w = world();
    w.put(acp('acp1', [{ acor: ['Cuser'], acop: 63 }], [{ acor: ['Cowner'], acop: Op.UPDATE }]));
    const cnt = w.put({ ri: 'cnt1', pi: 'base', ty: ResourceType.container, srn: 'cse-in/cnt', acpi: ['acp1'] });
    expect(await w.pdp.decidePolicyUpdate(subject('/id-in/Cowner', 3), cnt)).toMatchObject({
      permit: true,
      rule: 'acp1.pvs.acr[0]',
    });
    // pv UPDATE does not let Cuser relink the policies
    expect((await w.pdp.decidePolicyUpdate(subject('/id-in/Cuser', 3), cnt)).permit).toBe(false);
  });
});

describe('AccessDecisionPoint.explain', () => {
  it("gives decide()'s Decision, the policies, the context and a verdict per rule; it consults no DAS", async () => {
    const w = world();
    w.put(
      acp('acp1', [
        { acor: ['Cother'], acop: 63 },
        { acor: ['Creader'], acop: Op.RETRIEVE, acaf: true },
      ]),
    );
    const cnt = w.put({ ri: 'cnt1', pi: 'base', ty: ResourceType.container, srn: 'cse-in/cnt', acpi: ['acp1'] });
    w.setGrant(() => {
      throw new Error('explain must not consult a DAS');
    });
    const permit = await w.pdp.explain(subject('/id-in/Creader'), cnt, Op.RETRIEVE);
    expect(permit).toMatchObject({
      permit: true,
      rule: 'acp1.pv.acr[1]',
      governing: 'cse-in/cnt',
      policies: ['acp1'],
      context: { authenticated: true, tokens: 0 },
    });
    expect(permit.rules.map((r) => r.permits)).toEqual([false, true]);
    const deny = await w.pdp.explain(subject('/id-in/Creader'), cnt, Op.UPDATE);
    expect(deny.permit).toBe(false);
    expect(deny.rules[1]).toEqual({
      rule: 'acp1.pv.acr[1]',
      permits: false,
      reason: 'acop 2 does not include operation 4',
    });
    expect(deny.reason).toContain('acp1.pv.acr[0]: acor does not name /id-in/Creader');
    expect(w.consulted).toEqual([]);
    // The explanation agrees with the decision for every operation.
    for (const op of [1, 2, 4, 8, 16, 32]) {
      const s = subject('/id-in/Creader');
      expect((await w.pdp.explain(s, cnt, op)).permit).toBe((await w.pdp.decide(s, cnt, op)).permit);
    }
  });
});
