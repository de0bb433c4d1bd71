import { describe, expect, it } from 'vitest';
import { requestParameterPresence, validateRequest } from '../src/index.js';
import { expectM2M } from './helpers.js';

const base = { to: 'cse-in/ae1', fr: 'Cae1', rqi: 'r1', rvi: '3' };
const create = { ...base, op: 1, ty: 3, pc: { 'm2m:cnt': { rn: 'c' } } };
const retrieve = { ...base, op: 2 };
const update = { ...base, op: 3, pc: { 'm2m:cnt': { lbl: ['a'] } } };
const del = { ...base, op: 4 };
const notify = { ...base, op: 5, pc: { 'm2m:sgn': { vrq: true } } };

describe('validateRequest: accepted primitives', () => {
  it('accepts a minimal primitive of every operation and returns a copy', () => {
    for (const p of [create, retrieve, update, del, notify]) {
      const r = validateRequest(p);
      expect(r).toEqual(p);
      expect(r).not.toBe(p);
    }
  });
  it('accepts a CREATE AE without fr, or with an empty fr', () => {
    const ae = { op: 1, to: 'cse-in', rqi: 'r', rvi: '3', ty: 2, pc: { 'm2m:ae': {} } };
    expect(validateRequest(ae).fr).toBeUndefined();
    expect(validateRequest({ ...ae, fr: '' }).fr).toBe('');
    expect(validateRequest({ ...ae, fr: 'C' }).fr).toBe('C');
  });
  it('accepts every optional parameter with a valid value', () => {
    const r = validateRequest({
      ...retrieve,
      rids: ['role1'],
      ot: '20240101T000000',
      rqet: 60000,
      rset: '20990101T000000,5',
      oet: '1000',
      rt: { rtv: 3 },
      rp: 1000,
      rcn: 4,
      ec: 100,
      da: false,
      gid: 'g1',
      fc: { ty: [3, 4], lbl: ['a:b'], cra: '20240101T000000', lim: 0, lvl: 1, ofst: 1, fu: 2, fo: 2 },
      drt: 2,
      tkns: ['eyJ.x.y'],
      tids: ['tk1'],
      ltids: ['lt1'],
      tqi: true,
      grtm: ['cse-in/m1'],
      asi: false,
      aus: [],
      auri: false,
      sqi: false,
      vsi: 'vendor',
    });
    expect(r.rqet).toBe('60000');
    expect(r.rp).toBe('1000');
    expect(r.fc?.ty).toEqual([3, 4]);
  });
  it('covers every parameter of Table 7.2.1.1-1 in the presence table', () => {
    expect(Object.keys(requestParameterPresence).sort()).toEqual(
      [
        'op',
        'to',
        'fr',
        'rqi',
        'ty',
        'pc',
        'rids',
        'ot',
        'rqet',
        'rset',
        'oet',
        'rt',
        'rp',
        'rcn',
        'ec',
        'da',
        'gid',
        'fc',
        'drt',
        'tkns',
        'tids',
        'ltids',
        'tqi',
        'grtm',
        'asi',
        'aus',
        'auri',
        'sqi',
        'rvi',
        'vsi',
      ].sort(),
    );
  });
});

describe('validateRequest: rejected primitives', () => {
  it('rejects a non-object', () => {
    for (const p of [null, [], 'x', 1])
      expectM2M(() => validateRequest(p), 4000, 'request primitive must be an object');
  });
  it('op must be 1..5', () => {
    for (const op of [0, 6, '1', 1.5, undefined])
      expectM2M(() => validateRequest({ ...base, op }), 4000, /^op must be one of 1, 2, 3, 4, 5/);
  });
  it('rejects unknown parameters', () => {
    expectM2M(() => validateRequest({ ...retrieve, foo: 1 }), 4000, "unknown request parameter 'foo'");
  });
  it('to must be present and well-formed', () => {
    expectM2M(() => validateRequest({ ...retrieve, to: undefined }), 4000, 'to must be a string');
    expectM2M(() => validateRequest({ ...retrieve, to: '' }), 4000, 'to must not be empty');
    expectM2M(() => validateRequest({ ...retrieve, to: 'a//b' }), 4000, "to 'a//b' is malformed: empty path segment");
    expectM2M(() => validateRequest({ ...retrieve, to: '//sp' }), 4000, 'absolute form');
  });
  it('fr is mandatory except for AE CREATE and must be well-formed', () => {
    expectM2M(() => validateRequest({ ...retrieve, fr: undefined }), 4000, 'fr is mandatory in RETRIEVE');
    expectM2M(
      () => validateRequest({ ...create, fr: undefined }),
      4000,
      'fr is mandatory in CREATE except for AE CREATE',
    );
    expectM2M(() => validateRequest({ ...notify, fr: '' }), 4000, 'fr is mandatory in NOTIFY');
    expectM2M(() => validateRequest({ ...retrieve, fr: '/id-mn/Sx' }), 4000, "from '/id-mn/Sx' is malformed");
    expectM2M(() => validateRequest({ ...retrieve, fr: 7 }), 4000, 'fr must be a string');
  });
  it('rqi must be a non-empty string', () => {
    expectM2M(() => validateRequest({ ...retrieve, rqi: undefined }), 4000, 'rqi must be a string');
    expectM2M(() => validateRequest({ ...retrieve, rqi: '' }), 4000, 'rqi must not be empty');
    expectM2M(() => validateRequest({ ...retrieve, rqi: 12 }), 4000, 'rqi must be a string');
  });
  it('rvi must be a supported release (4001), absent means Release 1', () => {
    expectM2M(() => validateRequest({ ...retrieve, rvi: '1' }), 4001, "rvi '1' is not supported (supported: 2a, 3)");
    expectM2M(() => validateRequest({ ...retrieve, rvi: '9' }), 4001, "rvi '9'");
    expectM2M(() => validateRequest({ ...retrieve, rvi: undefined }), 4001, 'rvi is missing');
    expectM2M(() => validateRequest({ ...retrieve, rvi: 3 }), 4000, 'rvi must be a string');
    const { rvi: _, ...noRvi } = retrieve;
    expect(validateRequest(noRvi, { acceptMissingRvi: true }).rvi).toBeUndefined();
    expect(validateRequest({ ...retrieve, rvi: '2' }, { releaseVersions: ['2', '3'] }).rvi).toBe('2');
    for (const rvi of ['2a', '3']) expect(validateRequest({ ...retrieve, rvi }).rvi).toBe(rvi);
    // Release 4 is not implemented, so it is not served by default either (issue 13, release versions).
    expectM2M(() => validateRequest({ ...retrieve, rvi: '4' }), 4001, "rvi '4'");
  });
  it('ty is mandatory and served in CREATE, not permitted otherwise', () => {
    expectM2M(() => validateRequest({ ...create, ty: undefined }), 4000, 'ty is mandatory in CREATE');
    // TS-0004 7.3.3.3: a Release 3 type that is not implemented is 5001; a value outside the table is 4000.
    expectM2M(() => validateRequest({ ...create, ty: 12 }), 5001, 'resource type 12');
    expectM2M(() => validateRequest({ ...create, ty: 58 }), 4000, 'ty 58 is not a Release 3 resource type');
    expectM2M(() => validateRequest({ ...create, ty: 17 }), 4005, 'never by a CREATE');
    expectM2M(() => validateRequest({ ...create, ty: '3' }), 4000, 'ty must be a positive integer');
    expectM2M(() => validateRequest({ ...retrieve, ty: 3 }), 4000, "parameter 'ty' is not permitted in RETRIEVE");
    expectM2M(() => validateRequest({ ...update, ty: 3 }), 4000, "parameter 'ty' is not permitted in UPDATE");
  });
  it('pc is mandatory in CREATE, UPDATE, NOTIFY, absent in DELETE, an object', () => {
    expectM2M(() => validateRequest({ ...create, pc: undefined }), 4000, 'pc is mandatory in CREATE');
    expectM2M(() => validateRequest({ ...update, pc: undefined }), 4000, 'pc is mandatory in UPDATE');
    expectM2M(() => validateRequest({ ...notify, pc: undefined }), 4000, 'pc is mandatory in NOTIFY');
    expectM2M(() => validateRequest({ ...del, pc: {} }), 4000, "parameter 'pc' is not permitted in DELETE");
    expectM2M(() => validateRequest({ ...update, pc: 'x' }), 4000, 'pc must be an object');
    expectM2M(() => validateRequest({ ...update, pc: [] }), 4000, 'pc must be an object');
    expect(validateRequest({ ...retrieve, pc: { 'm2m:atrl': ['rn'] } }).pc).toEqual({ 'm2m:atrl': ['rn'] });
  });
  it('rcn must be valid for the operation (TS-0001 Table 8.1.2-1)', () => {
    for (const rcn of [0, 1, 2, 3, 9]) expect(validateRequest({ ...create, rcn }).rcn).toBe(rcn);
    for (const rcn of [4, 5, 6, 7, 8])
      expectM2M(() => validateRequest({ ...create, rcn }), 4000, `rcn ${rcn} is not valid for CREATE`);
    for (const rcn of [1, 4, 5, 6, 7, 8, 10]) expect(validateRequest({ ...retrieve, rcn }).rcn).toBe(rcn);
    for (const rcn of [0, 2, 3, 9])
      expectM2M(() => validateRequest({ ...retrieve, rcn }), 4000, `rcn ${rcn} is not valid for RETRIEVE`);
    for (const rcn of [0, 1, 9]) expect(validateRequest({ ...update, rcn }).rcn).toBe(rcn);
    for (const rcn of [2, 3, 4, 5, 6, 7, 8])
      expectM2M(() => validateRequest({ ...update, rcn }), 4000, 'not valid for UPDATE');
    for (const rcn of [0, 1, 4, 5, 6, 8]) expect(validateRequest({ ...del, rcn }).rcn).toBe(rcn);
    for (const rcn of [2, 3, 7, 9, 10]) expectM2M(() => validateRequest({ ...del, rcn }), 4000, 'not valid for DELETE');
    expectM2M(() => validateRequest({ ...notify, rcn: 1 }), 4000, "parameter 'rcn' is not permitted in NOTIFY");
    expectM2M(() => validateRequest({ ...retrieve, rcn: '1' }), 4000, 'rcn 1 is not valid for RETRIEVE');
    expect(validateRequest({ ...retrieve, fc: { fu: 1 }, rcn: 6 }).rcn).toBe(6);
    expectM2M(
      () => validateRequest({ ...retrieve, fc: { fu: 1 }, rcn: 1 }),
      4000,
      'rcn 1 is not valid for RETRIEVE with discovery (allowed: 6)',
    );
  });
  it('fc is not permitted in CREATE / NOTIFY and its members are typed', () => {
    expectM2M(() => validateRequest({ ...create, fc: {} }), 4000, "parameter 'fc' is not permitted in CREATE");
    expectM2M(() => validateRequest({ ...notify, fc: {} }), 4000, "parameter 'fc' is not permitted in NOTIFY");
    const bad: [Record<string, unknown>, string][] = [
      [{ ty: 3 }, 'fc.ty must be a list of integers'],
      [{ ty: [3, 'x'] }, 'fc.ty[1] must be a positive integer'],
      [{ lbl: 'a' }, 'fc.lbl must be a list of strings'],
      [{ lbl: [] }, 'fc.lbl must have at least 1 member'],
      [{ lbl: [1] }, 'fc.lbl[0] must be a non-empty string'],
      [{ cra: '2024-01-01' }, "fc.cra '2024-01-01' is not an m2m:timestamp"],
      [{ crb: 1 }, "fc.crb '1' is not an m2m:timestamp"],
      [{ lim: -1 }, 'fc.lim must be a non-negative integer'],
      [{ lim: 1.5 }, 'fc.lim must be a non-negative integer'],
      [{ lvl: 0 }, 'fc.lvl must be a positive integer'],
      [{ ofst: 0 }, 'fc.ofst must be a positive integer'],
      [{ fu: 4 }, 'fc.fu must be one of 1, 2, 3'],
      [{ fo: 3 }, 'fc.fo must be one of 1, 2'],
      [{ sts: 0 }, 'fc.sts must be a positive integer'],
      [{ atr: [{ val: 1 }] }, 'fc.atr[0] must be an object {nm, val}'],
      [{ zzz: 1 }, "unknown filter criteria member 'fc.zzz'"],
    ];
    for (const [fc, msg] of bad) expectM2M(() => validateRequest({ ...retrieve, fc }), 4000, msg);
    expectM2M(() => validateRequest({ ...retrieve, fc: [] }), 4000, 'fc must be an object');
    expectM2M(() => validateRequest({ ...del, fc: { fu: 1 } }), 4000, 'fc.fu=1 (discovery) is only valid in RETRIEVE');
    expect(validateRequest({ ...del, fc: { fu: 2, lbl: ['x'] } }).fc).toEqual({ fu: 2, lbl: ['x'] });
  });
  it('drt only in RETRIEVE, 1 or 2', () => {
    expectM2M(() => validateRequest({ ...retrieve, drt: 3 }), 4000, 'drt must be one of 1, 2');
    expectM2M(() => validateRequest({ ...create, drt: 1 }), 4000, "parameter 'drt' is not permitted in CREATE");
  });
  it('rt has rtv 1..5 and nu only with rtv=2', () => {
    expect(validateRequest({ ...retrieve, rt: { rtv: 2, nu: [] } }).rt).toEqual({ rtv: 2, nu: [] });
    expectM2M(() => validateRequest({ ...retrieve, rt: 3 }), 4000, 'rt must be an object');
    expectM2M(() => validateRequest({ ...retrieve, rt: {} }), 4000, 'rt.rtv must be an integer in 1..5');
    expectM2M(() => validateRequest({ ...retrieve, rt: { rtv: 6 } }), 4000, 'rt.rtv must be an integer in 1..5');
    expectM2M(
      () => validateRequest({ ...retrieve, rt: { rtv: 1, nu: ['x'] } }),
      4000,
      'rt.nu is only allowed with rt.rtv=2',
    );
    expectM2M(() => validateRequest({ ...retrieve, rt: { rtv: 3, x: 1 } }), 4000, "unknown member 'rt.x'");
  });
  it('time parameters are typed and rset is later than rqet', () => {
    expectM2M(() => validateRequest({ ...retrieve, ot: 5 }), 4000, "ot '5' is not an m2m:timestamp");
    expectM2M(() => validateRequest({ ...retrieve, rqet: 'soon' }), 4000, "rqet 'soon' is not an m2m:timestamp");
    expectM2M(() => validateRequest({ ...retrieve, oet: 1.5 }), 4000, "oet '1.5' is not an integer");
    expectM2M(() => validateRequest({ ...notify, rp: 10 }), 4000, "parameter 'rp' is not permitted in NOTIFY");
    expectM2M(() => validateRequest({ ...retrieve, rqet: 2000, rset: 1000 }), 4000, 'rset must be later than rqet');
  });
  it('other parameters are typed', () => {
    expectM2M(() => validateRequest({ ...retrieve, ec: 50 }), 4000, 'ec must be 2..4 or 100..999');
    expectM2M(() => validateRequest({ ...retrieve, ec: 1 }), 4000, 'ec must be an integer in 2..999');
    expectM2M(() => validateRequest({ ...retrieve, da: 'true' }), 4000, 'da must be a boolean');
    expectM2M(() => validateRequest({ ...retrieve, tqi: 1 }), 4000, 'tqi must be a boolean');
    expectM2M(() => validateRequest({ ...retrieve, rids: 'r' }), 4000, 'rids must be a list of strings');
    expectM2M(() => validateRequest({ ...retrieve, tids: [''] }), 4000, 'tids[0] must be a non-empty string');
    expectM2M(() => validateRequest({ ...retrieve, tkns: [1] }), 4000, 'tkns[0] must be a non-empty string');
    expectM2M(() => validateRequest({ ...retrieve, gid: 1 }), 4000, 'gid must be a string');
    expectM2M(() => validateRequest({ ...retrieve, aus: {} }), 4000, 'aus must be a list');
    expectM2M(() => validateRequest({ ...create, sqi: true }), 4000, "parameter 'sqi' is not permitted in CREATE");
    expectM2M(() => validateRequest({ ...notify, grtm: [] }), 4000, "parameter 'grtm' is not permitted in NOTIFY");
  });
});
