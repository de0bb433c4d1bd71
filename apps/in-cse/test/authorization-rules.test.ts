// Issue 4 "Must show", access-control rules over HTTP through the IN-CSE as a separate process:
// each originator form, each context type, acaf, acod, pvs vs pv, the acpi update rules (TS-0003 7.1).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, startAuthorizationCse } from './authorization-helpers.js';
import type { InCseProcess } from './harness.js';

let cse: InCseProcess;
let f: ReturnType<typeof fixture>;

beforeAll(async () => {
  cse = await startAuthorizationCse({
    cse: { allowCseWithoutAssociation: true },
    http: { trustedProxies: ['127.0.0.3'] },
    authorization: {
      locations: {
        Cparis: { latitude: 48.8566, longitude: 2.3522 },
        Cberlin: { latitude: 52.52, longitude: 13.405 },
        '/id-in/Csanjuan': { latitude: 18.4655, longitude: -66.1057 },
      },
    },
  });
  f = fixture(cse);
  await f.register('Cowner', 'Cae1', 'Cae2', 'Cxyz', 'Cparis', 'Cberlin', 'Csanjuan', 'Cnowhere');
});
afterAll(async () => {
  await cse?.stop();
});

const get = (path: string, from: string, extra: Parameters<ReturnType<typeof fixture>['call']>[2] = {}) =>
  f.call('GET', path, { from, ...extra });

describe('accessControlOriginators forms (TS-0003 7.1.3, TS-0004 7.3.3.15)', () => {
  it('an AE-ID matches in CSE-relative, SP-relative and absolute form, whatever form From uses', async () => {
    for (const [i, entry] of ['Cae1', '/id-in/Cae1', '//m2msec.org/id-in/Cae1'].entries()) {
      const path = await f.protectedBy(`ae-form-${i}`, [{ acor: [entry], acop: 2 }]);
      expect((await get(path, 'Cae1')).rsc).toBe(2000);
      expect((await get(path, '/id-in/Cae1')).rsc).toBe(2000);
      expect((await get(path, 'Cae2')).rsc).toBe(4103);
    }
  });

  it('a CSE-ID matches in SP-relative and absolute form', async () => {
    for (const [i, entry] of ['/id-mn', '//m2msec.org/id-mn'].entries()) {
      const path = await f.protectedBy(`cse-form-${i}`, [{ acor: [entry], acop: 2 }]);
      const r = await get(path, '/id-mn');
      expect(r.rsc, JSON.stringify(r.body)).toBe(2000);
      expect((await get(path, '/id-mn2')).rsc).toBe(4103);
    }
  });

  it("a wildcard's scope ends at the next /", async () => {
    const aes = await f.protectedBy('wild-ae', [{ acor: ['/id-in/Cae*'], acop: 2 }]);
    expect((await get(aes, 'Cae2')).rsc).toBe(2000);
    expect((await get(aes, 'Cxyz')).rsc).toBe(4103);
    const cses = await f.protectedBy('wild-cse', [{ acor: ['/id-*'], acop: 2 }]);
    expect((await get(cses, '/id-mn')).rsc).toBe(2000);
    expect((await get(cses, 'Cae1')).rsc).toBe(4103); // '/id-in/Cae1' has one more segment
  });

  it('an SP domain admits every CSE and AE of the domain', async () => {
    const path = await f.protectedBy('domain', [{ acor: ['//m2msec.org'], acop: 2 }]);
    expect((await get(path, 'Cxyz')).rsc).toBe(2000);
    expect((await get(path, '/id-mn')).rsc).toBe(2000);
    const other = await f.protectedBy('domain-other', [{ acor: ['//other.org'], acop: 2 }]);
    expect((await get(other, 'Cxyz')).rsc).toBe(4103);
  });

  it('a <group> resource ID admits the group members', async () => {
    const g = await f.call('POST', '/cse-in/Cowner', {
      from: 'Cowner',
      ty: 9,
      body: { 'm2m:grp': { rn: 'team', mnm: 5, mid: ['Cae2'] } },
    });
    expect(g.rsc).toBe(2001);
    const path = await f.protectedBy('by-group', [{ acor: [g.body['m2m:grp'].ri], acop: 2 }]);
    expect((await get(path, 'Cae2')).rsc).toBe(2000);
    expect((await get(path, 'Cae1')).rsc).toBe(4103);
  });
});

describe('accessControlContexts (TS-0003 7.1.3 Table 7.1.3-3), each failing closed', () => {
  it('actw: a window containing now permits, one that excludes now denies', async () => {
    const h = new Date().getUTCHours();
    const now = await f.protectedBy('window-now', [
      { acor: ['Cae1'], acop: 2, acco: [{ actw: [`* * ${(h + 23) % 24},${h},${(h + 1) % 24} * * * *`] }] },
    ]);
    const later = await f.protectedBy('window-later', [
      { acor: ['Cae1'], acop: 2, acco: [{ actw: [`* * ${(h + 12) % 24} * * * *`] }] },
    ]);
    expect((await get(now, 'Cae1')).rsc).toBe(2000);
    expect((await get(later, 'Cae1')).rsc).toBe(4103);
  });

  it('acip: the transport peer address inside the CIDR permits, outside denies', async () => {
    const one = await f.protectedBy('ip-one', [
      { acor: ['Cae1'], acop: 2, acco: [{ acip: { ipv4: ['127.0.0.1/32'] } }] },
    ]);
    expect((await get(one, 'Cae1', { localAddress: '127.0.0.1' })).rsc).toBe(2000);
    expect((await get(one, 'Cae1', { localAddress: '127.0.0.2' })).rsc).toBe(4103);
    const lan = await f.protectedBy('ip-lan', [
      { acor: ['Cae1'], acop: 2, acco: [{ acip: { ipv4: ['10.0.0.0/8'] } }] },
    ]);
    expect((await get(lan, 'Cae1')).rsc).toBe(4103);
    const loop = await f.protectedBy('ip-loop', [
      { acor: ['Cae1'], acop: 2, acco: [{ acip: { ipv4: ['127.0.0.0/8'], ipv6: ['::1'] } }] },
    ]);
    expect((await get(loop, 'Cae1', { localAddress: '127.0.0.2' })).rsc).toBe(2000);
  });

  it('acip: X-Forwarded-For counts only from a configured trusted proxy', async () => {
    const lan = '/cse-in/Cowner/ip-lan';
    const xff = { 'X-Forwarded-For': '10.1.2.3' };
    expect((await get(lan, 'Cae1', { localAddress: '127.0.0.1', headers: xff })).rsc).toBe(4103);
    expect((await get(lan, 'Cae1', { localAddress: '127.0.0.3', headers: xff })).rsc).toBe(2000);
  });

  it('aclr circle: an originator located inside permits, outside or unlocated denies', async () => {
    const path = await f.protectedBy('circle', [
      { acor: ['all'], acop: 2, acco: [{ aclr: { accr: [48.85, 2.35, 20_000] } }] },
    ]);
    expect((await get(path, 'Cparis')).rsc).toBe(2000);
    expect((await get(path, 'Cberlin')).rsc).toBe(4103);
    expect((await get(path, 'Cnowhere')).rsc).toBe(4103);
  });

  it('aclr country codes: inside the country permits, outside denies (offline border lookup)', async () => {
    const de = await f.protectedBy('country-de', [{ acor: ['all'], acop: 2, acco: [{ aclr: { accc: ['DE'] } }] }]);
    expect((await get(de, 'Cberlin')).rsc).toBe(2000);
    expect((await get(de, 'Cparis')).rsc).toBe(4103);
    expect((await get(de, 'Cnowhere')).rsc).toBe(4103);
    const us = await f.protectedBy('country-us', [{ acor: ['all'], acop: 2, acco: [{ aclr: { accc: ['US'] } }] }]);
    expect((await get(us, 'Csanjuan')).rsc).toBe(2000); // Puerto Rico is a territory of the US
  });

  it('contexts: OR over entries, AND within one', async () => {
    const h = new Date().getUTCHours();
    const path = await f.protectedBy('ctx-combo', [
      {
        acor: ['all'],
        acop: 2,
        acco: [
          { actw: [`* * ${(h + 12) % 24} * * * *`], aclr: { accc: ['FR'] } }, // Paris, but not now
          { acip: { ipv4: ['127.0.0.2/32'] }, aclr: { accc: ['DE'] } }, // Berlin from 127.0.0.2
        ],
      },
    ]);
    expect((await get(path, 'Cparis')).rsc).toBe(4103);
    expect((await get(path, 'Cberlin', { localAddress: '127.0.0.1' })).rsc).toBe(4103);
    expect((await get(path, 'Cberlin', { localAddress: '127.0.0.2' })).rsc).toBe(2000);
  });
});

describe('acop: DISCOVERY is a RETRIEVE with filterUsage=1 (TS-0003 7.1.3)', () => {
  it('DISCOVERY and RETRIEVE are separate privileges', async () => {
    const discover = await f.acp('discover-only', [{ acor: ['Cae1'], acop: 32 }]);
    const read = await f.acp('read-only', [{ acor: ['Cae1'], acop: 2 }]);
    await f.container('disc');
    for (const [rn, acpi] of [
      ['d1', discover],
      ['r1', read],
    ] as const) {
      const r = await f.call('POST', '/cse-in/Cowner/disc', {
        from: 'Cowner',
        ty: 3,
        body: { 'm2m:cnt': { rn, acpi: [acpi] } },
      });
      expect(r.rsc).toBe(2001);
    }
    const found = await get('/cse-in/Cowner/disc?fu=1&ty=3', 'Cae1');
    expect(found.rsc).toBe(2000);
    expect(found.body['m2m:uril']).toEqual(['cse-in/Cowner/disc/d1']);
    expect((await get('/cse-in/Cowner/disc/d1', 'Cae1')).rsc).toBe(4103);
    expect((await get('/cse-in/Cowner/disc/r1', 'Cae1')).rsc).toBe(2000);
  });
});

describe('acaf, acod, pv / pvs, acpi updates', () => {
  it('acaf=true denies over plain HTTP (rq_authn is false outside a security association)', async () => {
    const path = await f.protectedBy('authn', [{ acor: ['Cae1'], acop: 2, acaf: true }]);
    expect((await get(path, 'Cae1')).rsc).toBe(4103);
    const open = await f.protectedBy('no-authn', [{ acor: ['Cae1'], acop: 2, acaf: false }]);
    expect((await get(open, 'Cae1')).rsc).toBe(2000);
  });

  it('acod: CREATE is granted for the listed child types under the listed parent type only', async () => {
    const path = await f.protectedBy('objects', [{ acor: ['Cae1'], acop: 3, acod: [{ ty: 3, chty: [4] }] }]);
    const cin = await f.call('POST', path, { from: 'Cae1', ty: 4, body: { 'm2m:cin': { con: 'v' } } });
    expect(cin.rsc).toBe(2001);
    const cnt = await f.call('POST', path, { from: 'Cae1', ty: 3, body: { 'm2m:cnt': { rn: 'nested' } } });
    expect(cnt.rsc).toBe(4103);
    expect((await get(path, 'Cae1')).rsc).toBe(2000); // acod does not restrict RETRIEVE
  });

  it('the policy is governed by pvs, the resource by pv', async () => {
    const p = await f.acp('split', [{ acor: ['Cae1'], acop: 63 }], [{ acor: ['Cae2'], acop: 63 }]);
    await f.container('split-data', { acpi: [p] });
    expect((await get('/cse-in/Cowner/split-data', 'Cae1')).rsc).toBe(2000);
    expect((await get('/cse-in/Cowner/split', 'Cae1')).rsc).toBe(4103);
    expect((await get('/cse-in/Cowner/split', 'Cae2')).rsc).toBe(2000);
    expect((await get('/cse-in/Cowner/split-data', 'Cae2')).rsc).toBe(4103);
  });

  it('acpi is updated alone (else 4000) and only with UPDATE in the current policies pvs', async () => {
    const p = await f.acp('gate', [{ acor: ['Cae1'], acop: 63 }], [{ acor: ['Cae2'], acop: 4 }]);
    const q = await f.acp('other', [{ acor: ['all'], acop: 2 }]);
    await f.container('gated', { acpi: [p] });
    const path = '/cse-in/Cowner/gated';
    const mixed = await f.call('PUT', path, { from: 'Cae2', body: { 'm2m:cnt': { acpi: [q], lbl: ['x'] } } });
    expect(mixed.rsc).toBe(4000);
    expect((await f.call('PUT', path, { from: 'Cae1', body: { 'm2m:cnt': { acpi: [q] } } })).rsc).toBe(4103);
    expect((await f.call('PUT', path, { from: 'Cae1', body: { 'm2m:cnt': { lbl: ['ok'] } } })).rsc).toBe(2004);
    expect((await f.call('PUT', path, { from: 'Cae2', body: { 'm2m:cnt': { acpi: [q] } } })).rsc).toBe(2004);
    expect((await get(path, 'Cxyz')).rsc).toBe(2000); // now governed by 'other'
  });

  it('policies with empty or missing pvs and malformed rules are refused with a precise 4000', async () => {
    const post = (acp: object) => f.call('POST', '/cse-in/Cowner', { from: 'Cowner', ty: 1, body: { 'm2m:acp': acp } });
    const pvs = { acr: [{ acor: ['Cowner'], acop: 63 }] };
    const cases: Array<[object, string]> = [
      [{ rn: 'v1', pv: { acr: [] }, pvs: { acr: [] } }, 'selfPrivileges (pvs) must contain at least one rule'],
      [{ rn: 'v2', pv: { acr: [] } }, 'pvs'],
      [
        { rn: 'v3', pv: { acr: [{ acor: ['all'], acop: 2, acco: [{ actw: ['* * 25 * * * *'] }] }] }, pvs },
        'pv.acr[0].acco[0].actw[0] field hour',
      ],
      [
        { rn: 'v4', pv: { acr: [{ acor: ['all'], acop: 2, acco: [{ acip: { ipv4: ['10.0.0.0/40'] } }] }] }, pvs },
        'pv.acr[0].acco[0].acip.ipv4[0]',
      ],
      [
        { rn: 'v5', pv: { acr: [{ acor: ['all'], acop: 2, acco: [{ aclr: { accc: ['XX'] } }] }] }, pvs },
        'pv.acr[0].acco[0].aclr.accc[0]',
      ],
      [{ rn: 'v6', pv: { acr: [{ acor: ['all'], acop: 2, acod: [{ ty: 3 }] }] }, pvs }, 'chty'],
      [{ rn: 'v7', pv: { acr: [] }, pvs: { acr: [{ acor: ['x y'], acop: 63 }] } }, 'acor'],
    ];
    for (const [acp, words] of cases) {
      const r = await post(acp);
      expect(r.rsc, JSON.stringify(acp)).toBe(4000);
      expect(JSON.stringify(r.body)).toContain(words);
    }
  });
});
