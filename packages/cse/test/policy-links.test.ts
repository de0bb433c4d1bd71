// Issue 12 items 4 and 5 in process: acpi links are references to existing policies, kept as
// resourceIDs (TS-0001 Table 9.6.1.3.2-1, TS-0004 7.3.3.3 / 7.3.3.4, Table 6.3.3-1 m2m:acpType), and
// changing acpi is policy management decided by the linked policies' selfPrivileges, or by the creator
// where acpi has no value; never by a token, a role or a DAS grant (TS-0001 9.6.2.0, 10.2.3).
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { dasResponseContent, issueToken, parseDasRequest, type TokenClaimSet } from '@m2msec/authorization';
import { createHttpBinding, HttpRequestSender } from '@m2msec/binding-http';
import { formatTimestamp, type RequestPrimitive, type TransportContext } from '@m2msec/protocol';
import { openSqliteStore, type Store } from '@m2msec/store';
import { beforeAll, describe, expect, it } from 'vitest';
import { Cse, type CseOptions } from '../src/index.js';

let n = 0;
let das: { privateKey: KeyObject; publicKey: KeyObject };
beforeAll(() => {
  das = generateKeyPairSync('ec', { namedCurve: 'P-256' });
});

async function open(extra: Partial<CseOptions> = {}, existing?: Store) {
  const store = existing ?? (await openSqliteStore({ file: ':memory:' }));
  const cse = await Cse.open({
    store,
    appRules: [{ name: 'open', allowedAppIDs: ['*'], allowedAEs: ['*'] }],
    config: { expirySweepMs: 0 },
    authorization: {
      tokenIssuers: [{ id: '/id-in/CDas', keys: [das.publicKey], algorithms: ['ES256'] }],
      roleIssuers: ['CAuthority'],
    },
    ...extra,
  });
  const plain: TransportContext = { binding: 'http', peerAddress: '127.0.0.1' };
  const send = (req: Partial<RequestPrimitive> & { op: number; to: string }) =>
    cse.handle({ rqi: `p${++n}`, rvi: '3', ...req }, plain);
  const register = async (ae: string) => {
    const r = await send({
      op: 1,
      to: 'cse-in',
      fr: ae,
      ty: 2,
      pc: { 'm2m:ae': { rn: ae, api: 'Ntest', rr: true, srv: ['3'] } },
    });
    if (r.rsc !== 2001) throw new Error(`register ${ae}: ${r.rsc} ${r.dbg}`);
  };
  if (!existing) for (const ae of ['Cowner', 'Cother', 'Cfriend', 'Cvictim']) await register(ae);
  const acp = async (rn: string, pv: object[], pvs: object[] = [{ acor: ['Cowner'], acop: 63 }], owner = 'Cowner') => {
    const r = await send({
      op: 1,
      to: `cse-in/${owner}`,
      fr: owner,
      ty: 1,
      pc: { 'm2m:acp': { rn, pv: { acr: pv }, pvs: { acr: pvs } } },
    });
    if (r.rsc !== 2001) throw new Error(`acp ${rn}: ${r.rsc} ${r.dbg}`);
    return (r.pc as any)['m2m:acp'].ri as string;
  };
  const container = (rn: string, attrs: Record<string, unknown> = {}) =>
    send({ op: 1, to: 'cse-in/Cowner', fr: 'Cowner', ty: 3, pc: { 'm2m:cnt': { rn, ...attrs } } });
  const setAcpi = (path: string, fr: string, acpi: unknown, extra: Partial<RequestPrimitive> = {}) =>
    send({ op: 3, to: path, fr, pc: { 'm2m:cnt': { acpi } }, ...extra });
  return { cse, store, send, register, acp, container, setAcpi };
}

describe('acpi entries must name an existing <accessControlPolicy> (TS-0004 7.3.3.3 / 7.3.3.4)', () => {
  it('refuses a missing resource and a resource that is not a policy with 4000 naming the entry, on CREATE and UPDATE', async () => {
    const { store, acp, container, setAcpi } = await open();
    const p = await acp('p', [{ acor: ['Cother'], acop: 2 }]);
    expect((await container('plain')).rsc).toBe(2001);
    const plainRi = (await store.resources.getBySrn('cse-in/Cowner/plain'))!.ri;
    for (const bad of [
      'cse-in/Cowner/nothere',
      'acpdoesnotexist',
      'cse-in/Cowner/plain',
      plainRi,
      'Cowner',
      'cse-in',
    ]) {
      const c = await container('linked', { acpi: [p, bad] });
      expect(c.rsc, bad).toBe(4000);
      expect(c.dbg).toBe(
        `accessControlPolicyIDs (acpi) entry 1 '${bad}' does not identify an existing <accessControlPolicy> on this CSE`,
      );
      expect(await store.resources.getBySrn('cse-in/Cowner/linked')).toBeUndefined();
      const u = await setAcpi('cse-in/Cowner/plain', 'Cowner', [bad]);
      expect(u.rsc, bad).toBe(4000);
      expect(u.dbg).toContain(`entry 0 '${bad}'`);
    }
    expect((await store.resources.getBySrn('cse-in/Cowner/plain'))!.acpi).toBeUndefined(); // nothing changed
  });

  it('refuses a policy of another CSE with 5001 (its decision could not be evaluated here)', async () => {
    const { container } = await open();
    for (const remote of ['/id-mn/acp1', '//other.org/id-in/acp1', '/id-mn/cse-mn/Cae/p']) {
      const r = await container('remote', { acpi: [remote] });
      expect(r.rsc, remote).toBe(5001);
      expect(r.dbg).toContain('another CSE');
    }
  });

  it('accepts every local identifier form of TS-0001 Table 7.2-1 and stores and returns the resourceID', async () => {
    const { store, acp, container, send } = await open();
    const p = await acp('p', [{ acor: ['Cother'], acop: 2 }]);
    const forms = [
      p,
      'cse-in/Cowner/p',
      '-/Cowner/p',
      'Cowner/p',
      `/id-in/${p}`,
      '/id-in/cse-in/Cowner/p',
      `//m2msec.org/id-in/${p}`,
      '//m2msec.org/id-in/cse-in/Cowner/p',
    ];
    for (const [i, form] of forms.entries()) {
      const r = await container(`f${i}`, { acpi: [form] });
      expect(r.rsc, `${form}: ${r.dbg}`).toBe(2001);
      expect((r.pc as any)['m2m:cnt'].acpi).toEqual([p]);
      expect((await store.resources.getBySrn(`cse-in/Cowner/f${i}`))!.acpi).toEqual([p]);
      expect((await send({ op: 2, to: `cse-in/Cowner/f${i}`, fr: 'Cother' })).rsc).toBe(2000);
    }
    // Two names of one policy are one link.
    expect(((await container('twice', { acpi: [p, 'cse-in/Cowner/p'] })).pc as any)['m2m:cnt'].acpi).toEqual([p]);
  });

  it('an expired policy no longer exists for linking', async () => {
    const { acp, container, send } = await open();
    await acp('shortlived', [{ acor: ['all'], acop: 2 }]);
    const soon = formatTimestamp(new Date(Date.now() + 1500));
    expect(
      (await send({ op: 3, to: 'cse-in/Cowner/shortlived', fr: 'Cowner', pc: { 'm2m:acp': { et: soon } } })).rsc,
    ).toBe(2004);
    await new Promise((r) => setTimeout(r, 2100));
    expect((await container('late', { acpi: ['cse-in/Cowner/shortlived'] })).rsc).toBe(4000);
  });
});

describe('a deleted policy invalidates its links; a policy recreated at the path grants nothing (item 5)', () => {
  it('links fail closed when the policy is deleted and stay dead when the path is reused', async () => {
    const { store, acp, container, send, setAcpi } = await open();
    const p = await acp('shared', [{ acor: ['Cfriend'], acop: 63 }]);
    expect((await container('data', { acpi: ['cse-in/Cowner/shared'] })).rsc).toBe(2001);
    expect((await send({ op: 2, to: 'cse-in/Cowner/data', fr: 'Cfriend' })).rsc).toBe(2000);
    expect((await send({ op: 4, to: 'cse-in/Cowner/shared', fr: 'Cowner' })).rsc).toBe(2002);
    // Every linked policy gone: no rule matches, and the creator default does not come back.
    expect((await send({ op: 2, to: 'cse-in/Cowner/data', fr: 'Cfriend' })).rsc).toBe(4103);
    expect((await send({ op: 2, to: 'cse-in/Cowner/data', fr: 'Cowner' })).rsc).toBe(4103);
    // The same path again, open to all: a new resourceID, so the old links still grant nothing.
    const again = await acp('shared', [{ acor: ['all'], acop: 63 }], [{ acor: ['all'], acop: 63 }]);
    expect(again).not.toBe(p);
    for (const who of ['Cfriend', 'Cother', 'Cowner']) {
      expect((await send({ op: 2, to: 'cse-in/Cowner/data', fr: who })).rsc, who).toBe(4103);
      expect((await setAcpi('cse-in/Cowner/data', who, [again])).rsc, who).toBe(4103);
    }
    expect((await store.resources.getBySrn('cse-in/Cowner/data'))!.acpi).toEqual([p]);
    // The administrator can relink it.
    expect((await setAcpi('cse-in/Cowner/data', 'CAdmin', [again])).rsc).toBe(2004);
    expect((await send({ op: 2, to: 'cse-in/Cowner/data', fr: 'Cother' })).rsc).toBe(2000);
  });

  it('an AE that re-registers a freed AE-ID and recreates its policy name controls nothing', async () => {
    const { acp, container, send, register, setAcpi } = await open();
    await acp('pol', [{ acor: ['Cfriend'], acop: 2 }], [{ acor: ['Cvictim'], acop: 63 }], 'Cvictim');
    expect((await container('victimData', { acpi: ['cse-in/Cvictim/pol'] })).rsc).toBe(2001);
    expect((await send({ op: 2, to: 'cse-in/Cowner/victimData', fr: 'Cfriend' })).rsc).toBe(2000);
    expect((await send({ op: 4, to: 'cse-in/Cvictim', fr: 'Cvictim' })).rsc).toBe(2002); // deregisters
    await register('Cvictim'); // the attacker takes the freed AE-ID
    await acp('pol', [{ acor: ['Cvictim'], acop: 63 }], [{ acor: ['Cvictim'], acop: 63 }], 'Cvictim');
    expect((await send({ op: 2, to: 'cse-in/Cowner/victimData', fr: 'Cvictim' })).rsc).toBe(4103);
    expect(
      (await send({ op: 3, to: 'cse-in/Cowner/victimData', fr: 'Cvictim', pc: { 'm2m:cnt': { lbl: ['mine'] } } })).rsc,
    ).toBe(4103);
    expect((await setAcpi('cse-in/Cowner/victimData', 'Cvictim', ['cse-in/Cvictim/pol'])).rsc).toBe(4103);
  });
});

describe('daci links are kept the same way: they name who may grant privileges', () => {
  it('refuses a daci entry that names no <dynamicAuthorizationConsultation> with 4000 naming it', async () => {
    const { acp, container, send } = await open();
    const p = await acp('p', [{ acor: ['Cowner'], acop: 63 }]);
    for (const bad of [p, 'cse-in/Cowner/nodac']) {
      const r = await container('c', { daci: [bad] });
      expect(r.rsc, bad).toBe(4000);
      expect(r.dbg).toBe(
        `dynamicAuthorizationConsultationIDs (daci) entry 0 '${bad}' does not identify an existing <dynamicAuthorizationConsultation> on this CSE`,
      );
    }
    expect((await container('c', { acpi: [p] })).rsc).toBe(2001);
    expect(
      (await send({ op: 3, to: 'cse-in/Cowner/c', fr: 'Cowner', pc: { 'm2m:cnt': { daci: ['cse-in/Cowner/p'] } } }))
        .rsc,
    ).toBe(4000);
  });

  it('a consultation recreated at a freed path by a re-registered AE-ID is never consulted', async () => {
    const asked: string[] = [];
    const binding = createHttpBinding({
      cseId: '/das',
      cseBaseName: 'das',
      spId: 'm2msec.org',
      handler: async (req) => {
        const dreq = parseDasRequest(req.pc)!;
        asked.push(dreq.or);
        return {
          rsc: 2000,
          rqi: req.rqi,
          pc: dasResponseContent({ dai: { gp: { acr: [{ acor: [dreq.or], acop: 63 }] }, pl: 3_600_000 } }),
        };
      },
    });
    const { port } = await binding.listen({ host: '127.0.0.1', port: 0 });
    try {
      const { acp, container, send, register } = await open({ senders: [new HttpRequestSender()] });
      const dac = (fr: string, dae: boolean) =>
        send({
          op: 1,
          to: `cse-in/${fr}`,
          fr,
          ty: 34,
          pc: { 'm2m:dac': { rn: 'd', dae, dap: [`http://127.0.0.1:${port}/das`] } },
        });
      expect((await dac('Cvictim', false)).rsc).toBe(2001); // the victim's consultation, switched off
      const p = await acp('ownerOnly', [{ acor: ['Cowner'], acop: 63 }]);
      const c = await container('consulted', { acpi: [p], daci: ['cse-in/Cvictim/d'] });
      expect(c.rsc, c.dbg).toBe(2001);
      expect((c.pc as any)['m2m:cnt'].daci).toEqual([expect.stringMatching(/^dac/)]);
      expect((await send({ op: 4, to: 'cse-in/Cvictim', fr: 'Cvictim' })).rsc).toBe(2002);
      await register('Cvictim');
      expect((await dac('Cvictim', true)).rsc).toBe(2001); // the attacker's, pointing at a DAS that grants all
      expect((await send({ op: 2, to: 'cse-in/Cowner/consulted', fr: 'Cvictim' })).rsc).toBe(4103);
      expect(asked).toEqual([]);
    } finally {
      await binding.close();
    }
  });
});

describe('acor names a <group> by its resourceID (TS-0004 7.3.3.15), followed by resourceID only', () => {
  it('refuses a structured group name in acor; a stored one matches nothing, even with a group at the path', async () => {
    const { store, acp, container, send } = await open();
    const team = await send({
      op: 1,
      to: 'cse-in/Cowner',
      fr: 'Cowner',
      ty: 9,
      pc: { 'm2m:grp': { rn: 'team', mnm: 5, mid: ['Cfriend'] } },
    });
    expect(team.rsc, team.dbg).toBe(2001);
    const byName = await send({
      op: 1,
      to: 'cse-in/Cowner',
      fr: 'Cowner',
      ty: 1,
      pc: {
        'm2m:acp': {
          rn: 'byName',
          pv: { acr: [{ acor: ['cse-in/Cowner/team'], acop: 2 }] },
          pvs: { acr: [{ acor: ['Cowner'], acop: 63 }] },
        },
      },
    });
    expect(byName.rsc).toBe(4000);
    expect(byName.dbg).toContain(
      "pv.acr[0].acor[0] 'cse-in/Cowner/team' is not an originator ID and not the resourceID of a <group>",
    );
    const p = await acp('byId', [{ acor: [`/id-in/${(team.pc as any)['m2m:grp'].ri}`], acop: 2 }]);
    expect((await container('data', { acpi: [p] })).rsc).toBe(2001);
    expect((await send({ op: 2, to: 'cse-in/Cowner/data', fr: 'Cfriend' })).rsc).toBe(2000);
    // A policy stored by an earlier version with the structured name: never followed.
    const stored = (await store.resources.get(p))!;
    await store.resources.update({
      ...stored,
      pv: { acr: [{ acor: ['cse-in/Cowner/team'], acop: 2 }] },
      lt: `${stored.lt}1`,
    });
    expect((await send({ op: 2, to: 'cse-in/Cowner/data', fr: 'Cfriend' })).rsc).toBe(4103);
  });
});

describe('changing acpi: the current policies selfPrivileges, else the creator; never a token, role or DAS grant (item 4)', () => {
  const claims = (over: Partial<TokenClaimSet> = {}): TokenClaimSet => ({
    tkvr: '1',
    tkid: `t${Math.random().toString(36).slice(2)}@das.m2msec.org`,
    tkis: '/id-in/CDas',
    tkhd: '//m2msec.org/id-in/Cother',
    tknb: '20200101T000000',
    tkna: '20991231T000000',
    tkau: ['/id-in'],
    tkps: { pm: [{ ris: ['cse-in/Cowner/open'], pv: { acr: [{ acor: ['all'], acop: 63 }] } }] },
    ...over,
  });
  const sign = (c: TokenClaimSet) => issueToken(c, { signingKey: das.privateKey, alg: 'ES256' });

  it('a token granting UPDATE on a resource without acpi does not let its holder link its own policy', async () => {
    const { acp, container, send, setAcpi } = await open();
    expect((await container('open')).rsc).toBe(2001);
    const mine = await acp('mine', [{ acor: ['Cother'], acop: 63 }], [{ acor: ['Cother'], acop: 63 }]);
    const token = await sign(claims());
    const upd = await send({
      op: 3,
      to: 'cse-in/Cowner/open',
      fr: 'Cother',
      pc: { 'm2m:cnt': { lbl: ['t'] } },
      tkns: [token],
    });
    expect(upd.rsc, upd.dbg).toBe(2004); // the token's privileges apply
    const take = await setAcpi('cse-in/Cowner/open', 'Cother', [mine], { tkns: [token] });
    expect(take.rsc).toBe(4103);
    expect(take.dbg).toContain('only its creator may link them');
    // The creator still manages it.
    expect((await setAcpi('cse-in/Cowner/open', 'Cowner', [mine])).rsc).toBe(2004);
  });

  it('a Role-ID (from a <role> or a token) granting UPDATE does not decide acpi either', async () => {
    const { acp, container, send, setAcpi } = await open();
    expect((await container('open')).rsc).toBe(2001);
    const mine = await acp('mine', [{ acor: ['Cother'], acop: 63 }], [{ acor: ['Cother'], acop: 63 }]);
    // A token whose privileges name a Role-ID, and a <role> giving the holder that role.
    const viaRole = await sign(
      claims({
        tkps: { pm: [{ ris: ['cse-in/Cowner/open'], pv: { acr: [{ acor: ['writer@aa.m2msec.org'], acop: 63 }] } }] },
      }),
    );
    const rol = await send({
      op: 1,
      to: 'cse-in',
      fr: 'CAdmin',
      ty: 31,
      pc: {
        'm2m:rol': {
          rn: 'w',
          rlid: 'writer@aa.m2msec.org',
          tkis: '/id-in/CAuthority',
          tkhd: '/id-in/Cother',
          tknb: '20200101T000000',
          tkna: '20991231T000000',
        },
      },
    });
    expect(rol.rsc, rol.dbg).toBe(2001);
    const rq = { tkns: [viaRole], rids: ['writer@aa.m2msec.org'] };
    expect(
      (await send({ op: 3, to: 'cse-in/Cowner/open', fr: 'Cother', pc: { 'm2m:cnt': { lbl: ['r'] } }, ...rq })).rsc,
    ).toBe(2004);
    expect((await setAcpi('cse-in/Cowner/open', 'Cother', [mine], rq)).rsc).toBe(4103);
    // With links: a role in the pv of the linked policy is no pvs right.
    const p = await acp('byRole', [{ acor: ['writer@aa.m2msec.org'], acop: 63 }]);
    expect((await container('roled', { acpi: [p] })).rsc).toBe(2001);
    const roleOnly = { rids: ['writer@aa.m2msec.org'] };
    expect(
      (await send({ op: 3, to: 'cse-in/Cowner/roled', fr: 'Cother', pc: { 'm2m:cnt': { lbl: ['r'] } }, ...roleOnly }))
        .rsc,
    ).toBe(2004);
    expect((await setAcpi('cse-in/Cowner/roled', 'Cother', [mine], roleOnly)).rsc).toBe(4103);
  });

  it('a token naming a policy does not let its holder rewrite the policy (TS-0001 10.2.3: selfPrivileges alone)', async () => {
    const { acp, send } = await open();
    await acp('guard', [{ acor: ['Cfriend'], acop: 2 }]);
    const token = await sign(
      claims({ tkps: { pm: [{ ris: ['cse-in/Cowner/guard'], pv: { acr: [{ acor: ['all'], acop: 63 }] } }] } }),
    );
    const rewrite = await send({
      op: 3,
      to: 'cse-in/Cowner/guard',
      fr: 'Cother',
      tkns: [token],
      pc: { 'm2m:acp': { pvs: { acr: [{ acor: ['Cother'], acop: 63 }] } } },
    });
    expect(rewrite.rsc).toBe(4103);
    expect((await send({ op: 2, to: 'cse-in/Cowner/guard', fr: 'Cother', tkns: [token] })).rsc).toBe(4103);
  });

  it('after the token expires its holder has no residual access; the creator keeps control', async () => {
    const { acp, container, send, setAcpi } = await open();
    expect((await container('open')).rsc).toBe(2001);
    const mine = await acp('mine', [{ acor: ['Cother'], acop: 63 }], [{ acor: ['Cother'], acop: 63 }]);
    const token = await sign(claims({ tkna: formatTimestamp(new Date(Date.now() + 2000)) }));
    const first = await send({
      op: 3,
      to: 'cse-in/Cowner/open',
      fr: 'Cother',
      pc: { 'm2m:cnt': { lbl: ['a'] } },
      tkns: [token],
    });
    expect(first.rsc, first.dbg).toBe(2004);
    const lti = first.ati![0]!.split(':')[0]!;
    expect((await setAcpi('cse-in/Cowner/open', 'Cother', [mine], { tkns: [token] })).rsc).toBe(4103);
    await new Promise((r) => setTimeout(r, 3100));
    const lbl = { op: 3 as const, to: 'cse-in/Cowner/open', fr: 'Cother', pc: { 'm2m:cnt': { lbl: ['b'] } } };
    expect((await send({ ...lbl, tkns: [token] })).rsc).toBe(4103);
    expect((await send({ ...lbl, ltids: [lti] })).rsc).toBe(4103);
    expect((await send(lbl)).rsc).toBe(4103);
    expect((await send({ op: 2, to: 'cse-in/Cowner/open', fr: 'Cother' })).rsc).toBe(4103);
    expect((await send({ op: 2, to: 'cse-in/Cowner/open', fr: 'Cowner' })).rsc).toBe(2000);
    expect((await setAcpi('cse-in/Cowner/open', 'Cowner', [mine])).rsc).toBe(2004);
  });

  it('a DAS grant of UPDATE on a resource without acpi does not let the originator link its own policy', async () => {
    const binding = createHttpBinding({
      cseId: '/das',
      cseBaseName: 'das',
      spId: 'm2msec.org',
      handler: async (req) => {
        const dreq = parseDasRequest(req.pc)!;
        const dai = { gp: { acr: [{ acor: [dreq.or], acop: 63 }] }, pl: 3_600_000 };
        return { rsc: 2000, rqi: req.rqi, pc: dasResponseContent({ dai }) };
      },
    });
    const { port } = await binding.listen({ host: '127.0.0.1', port: 0 });
    try {
      const { acp, container, send, setAcpi } = await open({ senders: [new HttpRequestSender()] });
      const dac = await send({
        op: 1,
        to: 'cse-in/Cowner',
        fr: 'Cowner',
        ty: 34,
        pc: { 'm2m:dac': { rn: 'd', dae: true, dap: [`http://127.0.0.1:${port}/das`] } },
      });
      expect(dac.rsc, dac.dbg).toBe(2001);
      expect((await container('consulted', { daci: [(dac.pc as any)['m2m:dac'].ri] })).rsc).toBe(2001);
      const mine = await acp('mine', [{ acor: ['Cother'], acop: 63 }], [{ acor: ['Cother'], acop: 63 }]);
      expect(
        (await send({ op: 3, to: 'cse-in/Cowner/consulted', fr: 'Cother', pc: { 'm2m:cnt': { lbl: ['d'] } } })).rsc,
      ).toBe(2004);
      expect((await setAcpi('cse-in/Cowner/consulted', 'Cother', [mine])).rsc).toBe(4103);
      expect(
        (await send({ op: 3, to: 'cse-in/Cowner/consulted', fr: 'Cother', pc: { 'm2m:cnt': { daci: null } } })).rsc,
      ).toBe(4103);
      expect((await setAcpi('cse-in/Cowner/consulted', 'Cowner', [mine])).rsc).toBe(2004);
    } finally {
      await binding.close();
    }
  });

  it('the creator links and unlinks policies of a resource without acpi; with acpi the pvs holders do', async () => {
    const { acp, container, send, setAcpi } = await open();
    expect((await container('mine')).rsc).toBe(2001);
    const p = await acp('p', [{ acor: ['Cowner'], acop: 63 }], [{ acor: ['Cfriend'], acop: 4 }]);
    expect((await setAcpi('cse-in/Cowner/mine', 'Cother', [p])).rsc).toBe(4103);
    expect((await setAcpi('cse-in/Cowner/mine', 'Cowner', [p])).rsc).toBe(2004);
    // Now linked: pvs decides; the creator is no longer special (TS-0001 Table 9.6.1.3.2-1).
    expect((await setAcpi('cse-in/Cowner/mine', 'Cowner', null)).rsc).toBe(4103);
    expect((await setAcpi('cse-in/Cowner/mine', 'Cfriend', null)).rsc).toBe(2004);
    // acpi removed: the default policy again, the creator alone.
    expect((await send({ op: 2, to: 'cse-in/Cowner/mine', fr: 'Cowner' })).rsc).toBe(2000);
    expect((await setAcpi('cse-in/Cowner/mine', 'Cfriend', [p])).rsc).toBe(4103);
    expect((await setAcpi('cse-in/Cowner/mine', 'Cowner', [p])).rsc).toBe(2004);
  });
});

describe('stored structured links from before (migrated once on open)', () => {
  it('translates a link to the resourceID only if that policy existed when the link was set', async () => {
    const { store, acp, container } = await open();
    const p = await acp('kept', [{ acor: ['Cfriend'], acop: 2 }]);
    for (const rn of ['old', 'reused', 'gone', 'mixed']) expect((await container(rn, { acpi: [p] })).rsc).toBe(2001);
    // What an earlier version stored: the names as given.
    const rewrite = async (rn: string, acpi: string[]) => {
      const r = (await store.resources.getBySrn(`cse-in/Cowner/${rn}`))!;
      await store.resources.update({ ...r, acpi });
    };
    await rewrite('old', ['cse-in/Cowner/kept']);
    await rewrite('reused', ['cse-in/Cowner/later']);
    await rewrite('gone', ['cse-in/Cowner/nothing']);
    await rewrite('mixed', [`/id-in/${p}`, 'Cowner/kept', '/id-mn/acpx']);
    const later = await acp('later', [{ acor: ['all'], acop: 63 }]); // created after 'reused' was last modified
    const before = await open({}, store); // the marker says done: nothing changes
    expect((await store.resources.getBySrn('cse-in/Cowner/old'))!.acpi).toEqual(['cse-in/Cowner/kept']);
    // Structured names are never followed: the stale link grants nothing even before migration.
    expect((await before.send({ op: 2, to: 'cse-in/Cowner/reused', fr: 'Cother' })).rsc).toBe(4103);
    await store.collection('cse-migrations').delete('acpi-resource-ids');
    const after = await open({}, store);
    const acpiOf = async (rn: string) => (await store.resources.getBySrn(`cse-in/Cowner/${rn}`))!.acpi;
    expect(await acpiOf('old')).toEqual([p]);
    expect(await acpiOf('reused')).toEqual(['cse-in/Cowner/later']);
    expect(await acpiOf('gone')).toEqual(['cse-in/Cowner/nothing']);
    expect(await acpiOf('mixed')).toEqual([p, '/id-mn/acpx']);
    expect(later).not.toBe(p);
    expect((await after.send({ op: 2, to: 'cse-in/Cowner/old', fr: 'Cfriend' })).rsc).toBe(2000);
    expect((await after.send({ op: 2, to: 'cse-in/Cowner/reused', fr: 'Cother' })).rsc).toBe(4103);
    expect((await after.send({ op: 2, to: 'cse-in/Cowner/gone', fr: 'Cowner' })).rsc).toBe(4103);
    expect((await after.send({ op: 2, to: 'cse-in/Cowner/mixed', fr: 'Cfriend' })).rsc).toBe(2000);
    expect(await store.collection('cse-migrations').get('acpi-resource-ids')).toBeDefined();
  });
});
