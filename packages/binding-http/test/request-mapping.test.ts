// HTTP request -> request primitive over real loopback HTTP (TS-0009 6.2, 6.4).
import { Operation } from '@m2msec/protocol';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Fixture, m2m, send, startFixture } from './helpers.js';

let fx: Fixture;
beforeAll(async () => {
  fx = await startFixture();
});
afterAll(() => fx.close());
beforeEach(() => {
  fx.calls.length = 0;
});

async function primitiveFor(r: Parameters<typeof send>[1]) {
  const res = await send(fx.port, r);
  expect(res.status, res.text).toBe(200);
  expect(fx.calls).toHaveLength(1);
  return fx.calls[0]!.req;
}

describe('operation mapping (6.2.1)', () => {
  it('POST with ty is CREATE, POST without ty is NOTIFY, GET/PUT/DELETE', async () => {
    const body = '{"m2m:cnt":{"rn":"c"}}';
    const create = await primitiveFor(
      m2m('/cse-in', { method: 'POST', body, headers: [['Content-Type', 'application/json;ty=3']] }),
    );
    expect(create).toMatchObject({ op: Operation.CREATE, ty: 3, pc: { 'm2m:cnt': { rn: 'c' } } });
    fx.calls.length = 0;
    const notify = await primitiveFor(
      m2m('/cse-in', {
        method: 'POST',
        body: '{"m2m:sgn":{"vrq":true}}',
        headers: [['Content-Type', 'application/json']],
      }),
    );
    expect(notify.op).toBe(Operation.NOTIFY);
    expect(notify.ty).toBeUndefined();
    for (const [method, op] of [
      ['GET', Operation.RETRIEVE],
      ['PUT', Operation.UPDATE],
      ['DELETE', Operation.DELETE],
    ] as const) {
      fx.calls.length = 0;
      expect((await primitiveFor(m2m('/cse-in/ae1', { method }))).op).toBe(op);
    }
  });

  it('accepts the oneM2M JSON media type with a spaced ty parameter (6.4.3 example form)', async () => {
    const p = await primitiveFor(
      m2m('/cse-in', {
        method: 'POST',
        body: '{"m2m:ae":{"api":"Nx","rr":false,"srv":["3"]}}',
        headers: [['content-type', 'application/vnd.onem2m-res+json; ty=2']],
      }),
    );
    expect(p).toEqual({
      op: Operation.CREATE,
      to: 'cse-in',
      rqi: 'rqi-1',
      fr: 'CAdmin',
      ty: 2,
      pc: { 'm2m:ae': { api: 'Nx', rr: false, srv: ['3'] } },
    });
  });
});

describe('request target (6.2.2.1)', () => {
  it.each([
    ['/cse-in/ae1', 'cse-in/ae1'],
    ['/cse-in/ae1/cont27/', 'cse-in/ae1/cont27'],
    ['/cin00856', 'cin00856'],
    ['/~/id-in/cse-in', '/id-in/cse-in'],
    ['/~/CSE178/cin00856', '/CSE178/cin00856'],
    ['/_/mym2msp.org/id-in/cse-in/ae1', '//mym2msp.org/id-in/cse-in/ae1'],
    ['/_/mym2msp.org/CSE178/cin00856', '//mym2msp.org/CSE178/cin00856'],
    ['/cse-in/%61e1', 'cse-in/ae1'],
    ['/%7E/id-in/cse-in', '/id-in/cse-in'],
    ['/cse-in/a%20b', 'cse-in/a b'],
  ])('%s -> To %s', async (path, to) => {
    expect((await primitiveFor(m2m(path))).to).toBe(to);
  });

  it('headers are case-insensitive (5.1)', async () => {
    const p = await primitiveFor({
      path: '/cse-in',
      headers: [
        ['x-m2m-ri', 'r'],
        ['X-M2M-ORIGIN', 'Cx'],
      ],
    });
    expect(p).toMatchObject({ rqi: 'r', fr: 'Cx' });
  });
});

describe('header fields (6.4)', () => {
  it('maps every request header to its primitive parameter', async () => {
    const jws = 'eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJDYWUxIn0.c2ln';
    const jwe = 'eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..aXY.Y3Q.dGFn';
    const p = await primitiveFor({
      path: '/cse-in/ae1?rt=2',
      headers: [
        ['X-M2M-RI', 'req-0001'],
        ['X-M2M-Origin', '/id-mn/Cae1'],
        ['X-M2M-RVI', '3'],
        ['X-M2M-RET', '20301231T235959'],
        ['X-M2M-RST', '20301231T235958'],
        ['X-M2M-OET', '20301231T120000,5'],
        ['X-M2M-OT', '20260101T000000'],
        ['X-M2M-RTU', 'http://ae1.example:9000/n&mqtt://broker/x'],
        ['X-M2M-GID', 'grp-req-7'],
        ['Authorization', `${jws}+ ${jwe}`],
        ['X-M2M-EC', '2'],
        ['X-M2M-VSI', 'vendor info'],
        [
          'X-M2M-AS',
          'i6watmQQQ1y3GB-VsWq5fJKzQcBB4jRfH1bfJFj0JtFVtLotttzYyA==+ IWijxQjUrcXBYoCei4QxjWo9Kg8D3p9tlWoT4t0_gyTE96639In0FZFY2_rvP-_bMJ01EArmKZsR5VW3rwoPxw==',
        ],
        ['X-Unknown', 'ignored'], // 6.4.0: unrecognised headers are ignored
      ],
    });
    expect(p).toEqual({
      op: Operation.RETRIEVE,
      to: 'cse-in/ae1',
      rqi: 'req-0001',
      fr: '/id-mn/Cae1',
      rvi: '3',
      rqet: '20301231T235959',
      rset: '20301231T235958',
      oet: '20301231T120000,5',
      ot: '20260101T000000',
      rt: { rtv: 2, nu: ['http://ae1.example:9000/n', 'mqtt://broker/x'] },
      gid: 'grp-req-7',
      tkns: [jws, jwe],
      ec: 2,
      vsi: 'vendor info',
      aus: [
        'i6watmQQQ1y3GB-VsWq5fJKzQcBB4jRfH1bfJFj0JtFVtLotttzYyA==',
        'IWijxQjUrcXBYoCei4QxjWo9Kg8D3p9tlWoT4t0_gyTE96639In0FZFY2_rvP-_bMJ01EArmKZsR5VW3rwoPxw==',
      ],
    });
  });

  it('an empty X-M2M-Origin reaches the CSE as an empty From (registration asks for an assigned ID)', async () => {
    expect(
      (
        await primitiveFor({
          path: '/cse-in',
          headers: [
            ['X-M2M-RI', 'r'],
            ['X-M2M-Origin', ''],
          ],
        })
      ).fr,
    ).toBe('');
  });
});

describe('query component (6.2.2.2)', () => {
  it('maps resource attribute short names to attribute conditions fc.atr, repeatable (TS-0004 7.3.3.17.9)', async () => {
    const p = await primitiveFor(
      m2m(
        '/cse-in?fu=1&cr=CAE1&rn=room%2A&cr=CAE2&mni=&ty=3&arp=..%2Fcnt%2Fla&p.rn=ae1&c.cnf=text&chty=4+3&pty=2&clbl=a&palb=b&lbq=color%20IN%20(red%2C%20green)',
      ),
    );
    expect(p.fc).toEqual({
      fu: 1,
      ty: [3],
      arp: '../cnt/la',
      chty: [4, 3],
      pty: [2],
      clbl: ['a'],
      palb: ['b'],
      lbq: 'color IN (red, green)',
      patr: [{ nm: 'rn', val: 'ae1' }],
      catr: [{ nm: 'cnf', val: 'text' }],
      atr: [
        { nm: 'cr', val: 'CAE1' },
        { nm: 'rn', val: 'room*' },
        { nm: 'cr', val: 'CAE2' },
        { nm: 'mni', val: '' },
      ],
    });
  });

  it('maps every supported field, converting numbers and booleans', async () => {
    const q = [
      'rcn=4',
      'rt=3',
      'rp=P1Y2M3DT10H1M0S',
      'drt=2',
      'rids=role1+role2',
      'rids=role3',
      'tids=tk1',
      'ltids=lt1+lt2',
      'tqi=true',
      'da=1',
      'asi=false',
      'auri=0',
      'sqi=true',
      'crb=20300101T000000',
      'cra=20200101T000000',
      'ms=20210101T000000',
      'us=20290101T000000',
      'sts=5',
      'stb=1',
      'exb=20310101T000000',
      'exa=20250101T000000',
      'lbl=a+b',
      'lbl=c',
      'ty=2+3+4',
      'sza=10',
      'szb=1000',
      'cty=text%2Fplain+application%2Fjson',
      'lim=50',
      'lvl=2',
      'ofst=0',
      'fu=1',
      'fo=2',
    ].join('&');
    const p = await primitiveFor(m2m(`/cse-in?${q}`));
    expect(p).toEqual({
      op: Operation.RETRIEVE,
      to: 'cse-in',
      rqi: 'rqi-1',
      fr: 'CAdmin',
      rcn: 4,
      rt: { rtv: 3 },
      rp: 'P1Y2M3DT10H1M0S',
      drt: 2,
      rids: ['role1', 'role2', 'role3'],
      tids: ['tk1'],
      ltids: ['lt1', 'lt2'],
      tqi: true,
      da: true,
      asi: false,
      auri: false,
      sqi: true,
      fc: {
        crb: '20300101T000000',
        cra: '20200101T000000',
        ms: '20210101T000000',
        us: '20290101T000000',
        sts: 5,
        stb: 1,
        exb: '20310101T000000',
        exa: '20250101T000000',
        lbl: ['a', 'b', 'c'],
        ty: [2, 3, 4],
        sza: 10,
        szb: 1000,
        cty: ['text/plain', 'application/json'],
        lim: 50,
        lvl: 2,
        ofst: 0,
        fu: 1,
        fo: 2,
      },
    });
  });

  it('percent-decodes values; %2B is a literal plus inside one label', async () => {
    const p = await primitiveFor(m2m('/cse-in?lbl=key%3Avalue+a%2Bb+%C3%A9t%C3%A9&tqi=0'));
    expect(p.fc).toEqual({ lbl: ['key:value', 'a+b', 'été'] });
    expect(p.tqi).toBe(false);
  });
});
