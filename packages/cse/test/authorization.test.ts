// Authorization through the CSE core in process (TS-0003 clause 7): what needs a transport the HTTP
// tests cannot give yet (an authenticated originator inside a security association), and the
// resource-level rules (ACP validation, acpi updates, roles, tokens, groups, locations).
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import {
  dasResponseContent,
  issueToken,
  parseDasRequest,
  StaticLocationSource,
  type TokenClaimSet,
} from '@m2msec/authorization';
import { createHttpBinding, HttpRequestSender } from '@m2msec/binding-http';
import type { RequestPrimitive, TransportContext } from '@m2msec/protocol';
import { openSqliteStore } from '@m2msec/store';
import { beforeAll, describe, expect, it } from 'vitest';
import { Cse, type CseOptions } from '../src/index.js';

const idContext = { spId: 'm2msec.org', cseId: '/id-in' };
let n = 0;
let das: { privateKey: KeyObject; publicKey: KeyObject };

beforeAll(async () => {
  das = generateKeyPairSync('ec', { namedCurve: 'P-256' });
});

async function open(extra: Partial<CseOptions> = {}) {
  const store = await openSqliteStore({ file: ':memory:' });
  const cse = await Cse.open({
    store,
    appRules: [{ name: 'open', allowedAppIDs: ['*'], allowedAEs: ['*'] }],
    config: { expirySweepMs: 0 },
    authorization: {
      tokenIssuers: [{ id: '/id-in/CDas', keys: [das.publicKey], algorithms: ['ES256'] }],
      roleIssuers: ['CAuthority'],
      locationSource: new StaticLocationSource(
        { Cparis: { latitude: 48.8566, longitude: 2.3522 }, Cberlin: { latitude: 52.52, longitude: 13.405 } },
        idContext,
      ),
    },
    ...extra,
  });
  const plain: TransportContext = { binding: 'http', peerAddress: '127.0.0.1' };
  const send = (req: Partial<RequestPrimitive> & { op: number; to: string }, transport = plain) =>
    cse.handle({ rqi: `r${++n}`, rvi: '3', ...req }, transport);
  for (const ae of ['Cowner', 'Cparis', 'Cberlin', 'Cother', 'Cmember', 'CAuthority']) {
    const r = await send({
      op: 1,
      to: 'cse-in',
      fr: ae,
      ty: 2,
      pc: { 'm2m:ae': { rn: ae, api: 'Ntest', rr: true, srv: ['3'] } },
    });
    if (r.rsc !== 2001) throw new Error(`register ${ae}: ${r.rsc} ${r.dbg}`);
  }
  const acp = async (rn: string, pv: object[], pvs: object[] = [{ acor: ['Cowner'], acop: 63 }]) => {
    const r = await send({
      op: 1,
      to: 'cse-in/Cowner',
      fr: 'Cowner',
      ty: 1,
      pc: { 'm2m:acp': { rn, pv: { acr: pv }, pvs: { acr: pvs } } },
    });
    if (r.rsc !== 2001) throw new Error(`acp ${rn}: ${r.rsc} ${r.dbg}`);
    return (r.pc as any)['m2m:acp'].ri as string;
  };
  const container = async (rn: string, acpi?: string[]) => {
    const r = await send({
      op: 1,
      to: 'cse-in/Cowner',
      fr: 'Cowner',
      ty: 3,
      pc: { 'm2m:cnt': { rn, ...(acpi ? { acpi } : {}) } },
    });
    if (r.rsc !== 2001) throw new Error(`cnt ${rn}: ${r.rsc} ${r.dbg}`);
    return (r.pc as any)['m2m:cnt'].ri as string;
  };
  return { cse, store, send, acp, container };
}

describe('acaf and rq_authn (TS-0003 7.1.2, Table 7.1.5-1)', () => {
  it('a rule with acaf=true permits an originator authenticated inside a security association only', async () => {
    const { send, acp, container } = await open();
    const p = await acp('authn', [{ acor: ['Cother'], acop: 2, acaf: true }]);
    await container('secret', [p]);
    const plain = await send({ op: 2, to: 'cse-in/Cowner/secret', fr: 'Cother' });
    expect(plain.rsc).toBe(4103);
    const inside: TransportContext = {
      binding: 'http',
      peerAddress: '127.0.0.1',
      association: { boundIds: ['/id-in/Cother'], framework: 'test-psk' },
    };
    const authn = await send({ op: 2, to: 'cse-in/Cowner/secret', fr: 'Cother' }, inside);
    expect(authn.rsc, authn.dbg).toBe(2000);
  });
});

describe('<accessControlPolicy> validation (TS-0004 7.4.2)', () => {
  it.each([
    [{ pv: { acr: [] }, pvs: { acr: [] } }, 'selfPrivileges (pvs) must contain at least one rule'],
    [{ pv: { acr: [] } }, 'pvs'],
    [
      {
        pv: { acr: [{ acor: ['all'], acop: 2, acco: [{ actw: ['* * *'] }] }] },
        pvs: { acr: [{ acor: ['Cowner'], acop: 63 }] },
      },
      'pv.acr[0].acco[0].actw[0]',
    ],
    [
      {
        pv: { acr: [{ acor: ['all'], acop: 2, acco: [{ aclr: { accc: ['UK'] } }] }] },
        pvs: { acr: [{ acor: ['Cowner'], acop: 63 }] },
      },
      "the code is 'GB'",
    ],
    [
      {
        pv: { acr: [{ acor: ['all'], acop: 2, acco: [{ aclr: { accc: ['FR'], accr: [1, 2, 3] } }] }] },
        pvs: { acr: [{ acor: ['Cowner'], acop: 63 }] },
      },
      'not both',
    ],
    [
      { pv: { acr: [{ acor: ['grp*'], acop: 2 }] }, pvs: { acr: [{ acor: ['Cowner'], acop: 63 }] } },
      'pv.acr[0].acor[0]',
    ],
    [
      {
        pv: { acr: [{ acor: ['all'], acop: 2, acod: [{ ty: 2, chty: [0] }] }] },
        pvs: { acr: [{ acor: ['Cowner'], acop: 63 }] },
      },
      'chty',
    ],
  ])('refuses %j with 4000 naming the element (%s)', async (acp, words) => {
    const { send, store } = await open();
    const r = await send({ op: 1, to: 'cse-in/Cowner', fr: 'Cowner', ty: 1, pc: { 'm2m:acp': { rn: 'bad', ...acp } } });
    expect(r.rsc).toBe(4000);
    expect(r.dbg).toContain(words);
    expect(await store.resources.getBySrn('cse-in/Cowner/bad')).toBeUndefined();
  });

  it('refuses an update that empties or removes selfPrivileges', async () => {
    const { send, acp } = await open();
    await acp('keep', [{ acor: ['all'], acop: 2 }]);
    const empty = await send({
      op: 3,
      to: 'cse-in/Cowner/keep',
      fr: 'Cowner',
      pc: { 'm2m:acp': { pvs: { acr: [] } } },
    });
    expect(empty.rsc).toBe(4000);
    const gone = await send({ op: 3, to: 'cse-in/Cowner/keep', fr: 'Cowner', pc: { 'm2m:acp': { pvs: null } } });
    expect(gone.rsc).toBe(4000);
  });
});

describe('pv vs pvs and the acpi update rules (TS-0003 7.1.1, TS-0001 Table 9.6.1.3.2-1)', () => {
  it('the policy itself is governed by pvs, the resources it protects by pv', async () => {
    const { send, acp, container } = await open();
    const p = await acp('split', [{ acor: ['Cother'], acop: 63 }], [{ acor: ['Cowner'], acop: 63 }]);
    await container('data', [p]);
    expect((await send({ op: 2, to: 'cse-in/Cowner/data', fr: 'Cother' })).rsc).toBe(2000);
    expect((await send({ op: 2, to: 'cse-in/Cowner/split', fr: 'Cother' })).rsc).toBe(4103);
    expect((await send({ op: 2, to: 'cse-in/Cowner/split', fr: 'Cowner' })).rsc).toBe(2000);
    expect((await send({ op: 2, to: 'cse-in/Cowner/data', fr: 'Cowner' })).rsc).toBe(4103);
  });

  it('acpi must be updated alone (4000) and needs UPDATE in the current policies pvs (4103)', async () => {
    const { send, acp, container } = await open();
    const p = await acp('gate', [{ acor: ['Cother'], acop: 63 }], [{ acor: ['Cowner'], acop: 4 }]);
    const q = await acp('open', [{ acor: ['all'], acop: 63 }]);
    await container('c', [p]);
    const mixed = await send({
      op: 3,
      to: 'cse-in/Cowner/c',
      fr: 'Cowner',
      pc: { 'm2m:cnt': { acpi: [q], lbl: ['x'] } },
    });
    expect(mixed.rsc).toBe(4000);
    expect(mixed.dbg).toContain('must not change other attributes');
    // Cother has every pv privilege but no pvs UPDATE: may not relink.
    expect((await send({ op: 3, to: 'cse-in/Cowner/c', fr: 'Cother', pc: { 'm2m:cnt': { acpi: [q] } } })).rsc).toBe(
      4103,
    );
    expect((await send({ op: 3, to: 'cse-in/Cowner/c', fr: 'Cother', pc: { 'm2m:cnt': { lbl: ['ok'] } } })).rsc).toBe(
      2004,
    );
    // Cowner has no pv privilege at all but UPDATE in pvs: may relink.
    expect((await send({ op: 3, to: 'cse-in/Cowner/c', fr: 'Cowner', pc: { 'm2m:cnt': { acpi: [q] } } })).rsc).toBe(
      2004,
    );
  });
});

describe('daci is policy management', () => {
  it('relinking daci needs UPDATE in the current policies pvs, not only UPDATE in pv', async () => {
    const { send, acp, container } = await open();
    const p = await acp('upd', [{ acor: ['Cother'], acop: 63 }], [{ acor: ['Cowner'], acop: 4 }]);
    await container('linked', [p]);
    const dac = await send({
      op: 1,
      to: 'cse-in/Cowner',
      fr: 'Cowner',
      ty: 34,
      pc: { 'm2m:dac': { rn: 'd', dae: true, dap: ['http://127.0.0.1:9/das'] } },
    });
    expect(dac.rsc, dac.dbg).toBe(2001);
    const daci = [(dac.pc as any)['m2m:dac'].ri];
    expect((await send({ op: 3, to: 'cse-in/Cowner/linked', fr: 'Cother', pc: { 'm2m:cnt': { daci } } })).rsc).toBe(
      4103,
    );
    expect(
      (await send({ op: 3, to: 'cse-in/Cowner/linked', fr: 'Cother', pc: { 'm2m:cnt': { lbl: ['a'] } } })).rsc,
    ).toBe(2004);
    expect((await send({ op: 3, to: 'cse-in/Cowner/linked', fr: 'Cowner', pc: { 'm2m:cnt': { daci } } })).rsc).toBe(
      4103,
    ); // no pv UPDATE
    const both = await acp('both', [{ acor: ['Cowner'], acop: 63 }], [{ acor: ['Cowner'], acop: 4 }]);
    await container('linked2', [both]);
    expect((await send({ op: 3, to: 'cse-in/Cowner/linked2', fr: 'Cowner', pc: { 'm2m:cnt': { daci } } })).rsc).toBe(
      2004,
    );
  });
});

describe('originators: groups and roles', () => {
  it('a <group> resource ID in acor admits its members', async () => {
    const { send, acp, container } = await open();
    const g = await send({
      op: 1,
      to: 'cse-in/Cowner',
      fr: 'Cowner',
      ty: 9,
      pc: { 'm2m:grp': { rn: 'team', mnm: 5, mid: ['Cmember'] } },
    });
    expect(g.rsc, g.dbg).toBe(2001);
    const gri = (g.pc as any)['m2m:grp'].ri as string;
    const p = await acp('byGroup', [{ acor: [gri], acop: 2 }]);
    await container('shared', [p]);
    expect((await send({ op: 2, to: 'cse-in/Cowner/shared', fr: 'Cmember' })).rsc).toBe(2000);
    expect((await send({ op: 2, to: 'cse-in/Cowner/shared', fr: 'Cother' })).rsc).toBe(4103);
  });

  it('a Role-ID admits originators whose role a trusted authority assigned, inside its time window', async () => {
    const { send, acp, container } = await open();
    const p = await acp('byRole', [{ acor: ['reader@aa.m2msec.org'], acop: 2 }]);
    await container('r', [p]);
    const role = (rn: string, fr: string, tkhd: string, tkna = '20991231T000000') =>
      send({
        op: 1,
        to: 'cse-in',
        fr,
        ty: 31,
        pc: {
          'm2m:rol': { rn, rlid: 'reader@aa.m2msec.org', tkis: `/id-in/${fr}`, tkhd, tknb: '20200101T000000', tkna },
        },
      });
    // The CSEBase has no acpi: only the administrator creates roles there.
    expect((await role('r0', 'CAuthority', '/id-in/Cother')).rsc).toBe(4103);
    const forged = await send({
      op: 1,
      to: 'cse-in',
      fr: 'CAdmin',
      ty: 31,
      pc: {
        'm2m:rol': {
          rn: 'r1',
          rlid: 'reader@aa.m2msec.org',
          tkis: '/id-in/CAuthority',
          tkhd: '/id-in/Cother',
          tknb: '20200101T000000',
          tkna: '20991231T000000',
        },
      },
    });
    expect(forged.rsc, forged.dbg).toBe(2001);
    const rq = { op: 2 as const, to: 'cse-in/Cowner/r', fr: 'Cother' };
    expect((await send(rq)).rsc).toBe(4103); // no rids sent
    expect((await send({ ...rq, rids: ['reader@aa.m2msec.org'] })).rsc).toBe(2000);
    expect((await send({ ...rq, fr: 'Cmember', rids: ['reader@aa.m2msec.org'] })).rsc).toBe(4103); // not the holder
    const expired = await send({
      op: 1,
      to: 'cse-in',
      fr: 'CAdmin',
      ty: 31,
      pc: {
        'm2m:rol': {
          rn: 'r2',
          rlid: 'reader@aa.m2msec.org',
          tkis: '/id-in/CAuthority',
          tkhd: '/id-in/Cmember',
          tknb: '20200101T000000',
          tkna: '20210101T000000',
        },
      },
    });
    expect(expired.rsc).toBe(2001);
    expect((await send({ ...rq, fr: 'Cmember', rids: ['reader@aa.m2msec.org'] })).rsc).toBe(4103);
    const untrusted = await send({
      op: 1,
      to: 'cse-in',
      fr: 'CAdmin',
      ty: 31,
      pc: {
        'm2m:rol': {
          rn: 'r3',
          rlid: 'reader@aa.m2msec.org',
          tkis: '/id-in/CRogue',
          tkhd: '/id-in/Cparis',
          tknb: '20200101T000000',
          tkna: '20991231T000000',
        },
      },
    });
    expect(untrusted.rsc).toBe(2001);
    expect((await send({ ...rq, fr: 'Cparis', rids: ['reader@aa.m2msec.org'] })).rsc).toBe(4103);
  });
});

describe('aclr through the configured location source', () => {
  it('circles and countries admit originators located inside only; unknown locations fail closed', async () => {
    const { send, acp, container } = await open();
    const circle = await acp('circle', [{ acor: ['all'], acop: 2, acco: [{ aclr: { accr: [48.85, 2.35, 20_000] } }] }]);
    const country = await acp('de', [{ acor: ['all'], acop: 2, acco: [{ aclr: { accc: ['DE'] } }] }]);
    await container('nearParis', [circle]);
    await container('inGermany', [country]);
    expect((await send({ op: 2, to: 'cse-in/Cowner/nearParis', fr: 'Cparis' })).rsc).toBe(2000);
    expect((await send({ op: 2, to: 'cse-in/Cowner/nearParis', fr: 'Cberlin' })).rsc).toBe(4103);
    expect((await send({ op: 2, to: 'cse-in/Cowner/nearParis', fr: 'Cother' })).rsc).toBe(4103);
    expect((await send({ op: 2, to: 'cse-in/Cowner/inGermany', fr: 'Cberlin' })).rsc).toBe(2000);
    expect((await send({ op: 2, to: 'cse-in/Cowner/inGermany', fr: 'Cparis' })).rsc).toBe(4103);
  });
});

describe('acod on CREATE', () => {
  it('grants CREATE of the listed child types only', async () => {
    const { send, acp, container } = await open();
    const p = await acp('od', [{ acor: ['Cother'], acop: 3, acod: [{ ty: 3, chty: [4] }] }]);
    await container('box', [p]);
    expect(
      (await send({ op: 1, to: 'cse-in/Cowner/box', fr: 'Cother', ty: 4, pc: { 'm2m:cin': { con: 'x' } } })).rsc,
    ).toBe(2001);
    expect(
      (await send({ op: 1, to: 'cse-in/Cowner/box', fr: 'Cother', ty: 3, pc: { 'm2m:cnt': { rn: 'sub' } } })).rsc,
    ).toBe(4103);
    expect((await send({ op: 2, to: 'cse-in/Cowner/box', fr: 'Cother' })).rsc).toBe(2000);
  });
});

describe('tokens: Tokens, Token IDs, Local-Token-IDs (TS-0003 7.3.2.3)', () => {
  const claims = (over: Partial<TokenClaimSet> = {}): TokenClaimSet => ({
    tkvr: '1',
    tkid: 'tk1@das.m2msec.org',
    tkis: '/id-in/CDas',
    tkhd: '//m2msec.org/id-in/Cother',
    tknb: '20200101T000000',
    tkna: '20991231T000000',
    tkau: ['/id-in'],
    tkps: { pm: [{ ris: ['cse-in/Cowner/tok'], pv: { acr: [{ acor: ['all'], acop: 2 }] } }] },
    ...over,
  });

  it('a valid token grants its privileges, is cached under a Local-Token-ID, and reused by it', async () => {
    const { send, container } = await open();
    await container('tok');
    const token = await issueToken(claims(), { signingKey: das.privateKey, alg: 'ES256' });
    const rq = { op: 2 as const, to: 'cse-in/Cowner/tok', fr: 'Cother' };
    expect((await send(rq)).rsc).toBe(4103);
    const first = await send({ ...rq, tkns: [token] });
    expect(first.rsc, first.dbg).toBe(2000);
    expect(first.ati).toHaveLength(1);
    const [lti, tkid] = first.ati![0]!.split(':');
    expect(tkid).toBe('tk1@das.m2msec.org');
    expect((await send({ ...rq, ltids: [lti!] })).rsc).toBe(2000);
    expect((await send({ ...rq, fr: 'Cmember', ltids: [lti!] })).rsc).toBe(4103);
    // The token names one resource: elsewhere it grants nothing.
    await container('other');
    expect((await send({ ...rq, to: 'cse-in/Cowner/other', tkns: [token] })).rsc).toBe(4103);
  });

  it('a <token> in the repository is used through its Token ID', async () => {
    const { send, container } = await open();
    await container('tok');
    const token = await issueToken(claims({ tkid: 'stored@das.m2msec.org' }), {
      signingKey: das.privateKey,
      alg: 'ES256',
    });
    const c = await send({
      op: 1,
      to: 'cse-in',
      fr: 'CAdmin',
      ty: 32,
      pc: { 'm2m:tk': { rn: 't1', tkid: 'stored@das.m2msec.org', tkob: token } },
    });
    expect(c.rsc, c.dbg).toBe(2001);
    const mismatch = await send({
      op: 1,
      to: 'cse-in',
      fr: 'CAdmin',
      ty: 32,
      pc: { 'm2m:tk': { rn: 't2', tkid: 'other@das.m2msec.org', tkob: token } },
    });
    expect(mismatch.rsc).toBe(4000);
    const rq = { op: 2 as const, to: 'cse-in/Cowner/tok', fr: 'Cother' };
    expect((await send({ ...rq, tids: ['stored@das.m2msec.org'] })).rsc).toBe(2000);
    const unknown = await send({ ...rq, tids: ['missing@das.m2msec.org'] });
    expect(unknown.rsc).toBe(4103);
    expect(unknown.dbg).toContain('identifies no <token>');
  });

  it('refuses a request whose token fails validation, saying why', async () => {
    const { send, container } = await open();
    await container('tok');
    const rq = { op: 2 as const, to: 'cse-in/Cowner/tok', fr: 'Cother' };
    const expired = await issueToken(claims({ tkna: '20210101T000000' }), { signingKey: das.privateKey, alg: 'ES256' });
    const r = await send({ ...rq, tkns: [expired] });
    expect(r.rsc).toBe(4103);
    expect(r.dbg).toContain('token 1 is refused: token has expired');
  });
});

describe('Direct Dynamic Authorization in process', () => {
  it('applies a sit=2 grant as a dynamic policy (et = its lifetime) without moving the CSE clock', async () => {
    const seen: unknown[] = [];
    const das = createHttpBinding({
      cseId: '/das',
      cseBaseName: 'das',
      spId: 'm2msec.org',
      handler: async (req) => {
        const dreq = parseDasRequest(req.pc);
        seen.push(dreq);
        const grant = { gp: { acr: [{ acor: [dreq!.or], acop: 2 }] }, pl: 3_600_000 }; // relative: 1 h
        return { rsc: 2000, rqi: req.rqi, pc: dasResponseContent(dreq?.or.endsWith('Cother') ? { dai: grant } : {}) };
      },
    });
    const { port } = await das.listen({ host: '127.0.0.1', port: 0 });
    try {
      const { send, container, store } = await open({ senders: [new HttpRequestSender()] });
      const dac = await send({
        op: 1,
        to: 'cse-in/Cowner',
        fr: 'Cowner',
        ty: 34,
        pc: { 'm2m:dac': { rn: 'd', dae: true, dap: [`http://127.0.0.1:${port}/das`] } },
      });
      expect(dac.rsc, dac.dbg).toBe(2001);
      const ri = await container('consulted');
      await send({
        op: 3,
        to: 'cse-in/Cowner/consulted',
        fr: 'Cowner',
        pc: { 'm2m:cnt': { daci: [(dac.pc as any)['m2m:dac'].ri] } },
      });
      expect((await send({ op: 2, to: 'cse-in/Cowner/consulted', fr: 'Cmember' })).rsc).toBe(4103);
      expect((await send({ op: 2, to: 'cse-in/Cowner/consulted', fr: 'Cother' })).rsc).toBe(2000);
      expect(seen).toHaveLength(2);
      expect(seen[1]).toMatchObject({ or: '//m2msec.org/id-in/Cother', op: 2, trt: 3, trid: `/id-in/${ri}` });
      const stored = await store.resources.get(ri);
      const [dynamic] = stored!.__dacpi as string[];
      const acp = await store.resources.get(dynamic!);
      expect(acp).toMatchObject({ ty: 1, pi: ri, pv: { acr: [{ acor: ['//m2msec.org/id-in/Cother'], acop: 2 }] } });
      expect(acp!.pvs).toEqual({ acr: [{ acor: ['/id-in'], acop: 14 }] });
      // A later resource is stamped with the present, not with the grant's expiry.
      const later = await send({ op: 1, to: 'cse-in/Cowner', fr: 'Cowner', ty: 3, pc: { 'm2m:cnt': { rn: 'later' } } });
      expect((later.pc as any)['m2m:cnt'].ct < (acp!.et as string)).toBe(true);
    } finally {
      await das.close();
    }
  });
});
