import {
  M2MError,
  Operation,
  parseOriginator,
  ResourceType,
  ResponseStatusCode,
  toSpRelativeOriginator,
} from '@m2msec/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type ClassifyContext, classifyOriginator, type IdentifiedOriginator, type Peer } from '../src/index.js';
import { rejects } from './helpers.js';

const ctx: ClassifyContext = { spId: 'm2msec.org', cseId: '/id-in', registreeCseIds: new Set(['/id-mn1', '/id-mn2']) };
const AE: Peer = { kind: 'ae' };
const UNKNOWN: Peer = { kind: 'unknown' };
const MN1: Peer = { kind: 'cse', cseId: '/id-mn1' };
const OTHER_SP: Peer = { kind: 'remote-sp', spId: 'other.org' };
const BAD = ResponseStatusCode.BAD_REQUEST;

const retrieve = (fr?: string) => ({ op: Operation.RETRIEVE, fr });
const createAe = (fr?: string) => ({ op: Operation.CREATE, ty: ResourceType.AE, fr });
const identified = (fr: string, peer: Peer, op: number = Operation.RETRIEVE, ty?: number) =>
  classifyOriginator({ op, ty, fr }, peer, ctx) as IdentifiedOriginator;

describe('From presence and registration forms', () => {
  it('TS-0004 7.3.2.1: a request without From is 4000 unless it is CREATE <AE>', () => {
    expect(rejects(() => classifyOriginator(retrieve(), AE, ctx), BAD)).toMatch(/missing/);
    expect(rejects(() => classifyOriginator(retrieve(''), UNKNOWN, ctx), BAD)).toMatch(/missing/);
    expect(classifyOriginator(createAe(), AE, ctx)).toEqual({ kind: 'unassigned-ae', requested: undefined, id: '' });
    expect(classifyOriginator(createAe(''), UNKNOWN, ctx)).toMatchObject({ kind: 'unassigned-ae' });
  });

  it("TS-0001 10.2.2.2 step 002 iii/iv: 'S' and 'C' ask for an AE-ID at CREATE <AE> only", () => {
    expect(classifyOriginator(createAe('C'), AE, ctx)).toMatchObject({ kind: 'unassigned-ae', requested: 'C' });
    expect(classifyOriginator(createAe('S'), UNKNOWN, ctx)).toMatchObject({ kind: 'unassigned-ae', requested: 'S' });
    expect(rejects(() => classifyOriginator(retrieve('C'), AE, ctx), BAD)).toMatch(/not an AE-ID-Stem/);
    expect(rejects(() => classifyOriginator(retrieve('S'), AE, ctx), BAD)).toMatch(/not an AE-ID-Stem/);
  });

  it('TS-0004 7.4.5.2.1 / 7.3.2.8: CREATE <AE> arriving from a CSE is 4000', () => {
    expect(rejects(() => classifyOriginator(createAe('Cabc'), MN1, ctx), BAD)).toMatch(/TS-0004 7.4.5.2.1/);
    rejects(() => classifyOriginator(createAe(), OTHER_SP, ctx), BAD);
  });

  it('TS-0001 10.2.2.2 step 002 i/ii: CREATE <AE> with a complete stem is classified as that AE', () => {
    const c = identified('Cabc', AE, Operation.CREATE, ResourceType.AE);
    expect(c).toMatchObject({ kind: 'ae-c', id: '/id-in/Cabc', stem: 'Cabc', registrarIsThisCse: true });
  });

  it('TS-0001 10.2.2.2 step 002: CREATE <AE> with an SP-relative or absolute From is 4000 on any path', () => {
    expect(rejects(() => identified('/id-in/Cabc', UNKNOWN, Operation.CREATE, ResourceType.AE), BAD)).toMatch(
      /step 002/,
    );
    rejects(() => identified('//m2msec.org/Sabc', UNKNOWN, Operation.CREATE, ResourceType.AE), BAD);
    rejects(() => identified('/id-mn1', UNKNOWN, Operation.CREATE, ResourceType.AE), BAD);
  });

  it('TS-0001 10.2.2.7: CREATE <remoteCSE> needs a CSE-ID as From', () => {
    expect(identified('/id-mn3', UNKNOWN, Operation.CREATE, ResourceType.remoteCSE).kind).toBe('cse');
    expect(rejects(() => identified('Cabc', UNKNOWN, Operation.CREATE, ResourceType.remoteCSE), BAD)).toMatch(
      /CREATE <remoteCSE>/,
    );
    rejects(() => identified('/Sabc', UNKNOWN, Operation.CREATE, ResourceType.remoteCSE), BAD);
  });
});

describe('ID syntax (TS-0001 Table 7.2-1, TS-0004 6.2.3)', () => {
  it("TS-0001 Table 7.2-1: an AE-ID-Stem starting with neither 'C' nor 'S' is reserved: 4000", () => {
    expect(rejects(() => identified('myAE', UNKNOWN), BAD)).toMatch(/first character must be 'C' or 'S'/);
    rejects(() => identified('xyz', AE), BAD);
  });

  it('TS-0004 6.2.3: a stem needs characters after C / S in every form', () => {
    expect(rejects(() => identified('/id-in/C', UNKNOWN), BAD)).toMatch(/empty AE-ID-Stem/);
    expect(rejects(() => identified('/S', UNKNOWN), BAD)).toMatch(/empty AE-ID-Stem/);
    rejects(() => identified('//m2msec.org/S', MN1), BAD);
  });

  it('TS-0004 6.2.3: the M2M-SP-ID of an absolute ID is a lowercase FQDN', () => {
    expect(rejects(() => identified('//M2MSEC.org/id-in', MN1), BAD)).toMatch(/lowercase FQDN/);
    rejects(() => identified('//m2m_sec.org/id-in', MN1), BAD);
    rejects(() => identified('//-bad.org/id-in', MN1), BAD);
  });

  it('TS-0001 Table 7.2-1: malformed IDs from parseOriginator are 4000 (empty segments, foreign characters)', () => {
    for (const fr of ['/id-in//Cabc', '/id-in/Cabc/x', 'C a', '//m2msec.org', 'C%41', '/id-in/Sabc']) {
      rejects(() => identified(fr, UNKNOWN), BAD);
    }
  });

  it('error messages quote and bound the untrusted value', () => {
    const msg = rejects(() => identified(`X${'y'.repeat(500)}\n`, UNKNOWN), BAD);
    expect(msg.length).toBeLessThan(300);
    expect(msg).not.toContain('\n');
  });
});

describe('Mca: requests from an AE', () => {
  it('TS-0001 7.2 / TS-0004 7.3.2.1: a registree AE uses its AE-ID-Stem; other forms are 4000', () => {
    expect(rejects(() => identified('/id-in/Cabc', AE), BAD)).toMatch(/AE-ID-Stem \(CSE-relative form\)/);
    rejects(() => identified('//m2msec.org/id-in/Cabc', AE), BAD);
    rejects(() => identified('/Sabc', AE), BAD);
    rejects(() => identified('/id-mn1', AE), BAD);
  });

  it('TS-0001 Table 7.2-1: a CSE-relative C-stem names an AE registered here', () => {
    expect(identified('Cabc', AE)).toEqual({
      kind: 'ae-c',
      originator: { kind: 'ae-c', scope: 'cse-relative', stem: 'Cabc', raw: 'Cabc' },
      id: '/id-in/Cabc',
      stem: 'Cabc',
      sameSp: true,
      registrarIsThisCse: true,
      ownedByThisCse: true,
      ownedByAnotherRegistree: false,
      cseRelativeCStem: true,
      withinPeerSp: true,
    });
  });

  it('TS-0001 Table 7.2-1: an S-stem is SP-wide; from an AE over Mca this CSE is its registrar', () => {
    expect(identified('Sabc', AE)).toMatchObject({
      kind: 'ae-s',
      id: '/Sabc',
      registrarIsThisCse: true,
      ownedByThisCse: false,
    });
  });
});

describe('Mcc: requests from a CSE of this SP', () => {
  it("TS-0004 7.3.2.1: the registree's own CSE-ID is not another registree's", () => {
    expect(identified('/id-mn1', MN1)).toMatchObject({
      kind: 'cse',
      id: '/id-mn1',
      registrarIsThisCse: true,
      ownedByAnotherRegistree: false,
    });
  });

  it('TS-0004 7.3.2.1: a CSE-ID of another registree CSE is flagged (authentication: 4106)', () => {
    expect(identified('/id-mn2', MN1).ownedByAnotherRegistree).toBe(true);
    expect(identified('//m2msec.org/id-mn2', MN1).ownedByAnotherRegistree).toBe(true);
  });

  it('TS-0004 7.3.2.1: an SP-relative or absolute C-type AE-ID under another registree is flagged', () => {
    const c = identified('/id-mn2/Cxyz', MN1);
    expect(c).toMatchObject({
      kind: 'ae-c',
      id: '/id-mn2/Cxyz',
      ownedByAnotherRegistree: true,
      registrarIsThisCse: false,
    });
    expect(identified('//m2msec.org/id-mn2/Cxyz', MN1)).toMatchObject({
      id: '/id-mn2/Cxyz',
      ownedByAnotherRegistree: true,
    });
  });

  it('TS-0004 7.3.2.1: AEs of the registree itself and of its descendants are not flagged', () => {
    expect(identified('/id-mn1/Cxyz', MN1).ownedByAnotherRegistree).toBe(false);
    expect(identified('/id-asn7/Cxyz', MN1)).toMatchObject({
      ownedByAnotherRegistree: false,
      registrarIsThisCse: false,
    });
    expect(identified('/id-asn7', MN1)).toMatchObject({ kind: 'cse', registrarIsThisCse: false });
  });

  it('TS-0004 7.3.2.1: a CSE-relative C-type stem from a CSE is flagged (authentication: 4106)', () => {
    expect(identified('Cabc', MN1)).toMatchObject({ cseRelativeCStem: true, ownedByThisCse: true });
    expect(identified('/id-mn1/Cabc', MN1).cseRelativeCStem).toBe(false);
  });

  it("TS-0001 7.2: S-type AE-IDs from a CSE are normalised to '/S…'; their registrar needs a lookup", () => {
    expect(identified('/Sabc', MN1)).toMatchObject({ kind: 'ae-s', id: '/Sabc', registrarIsThisCse: undefined });
    expect(identified('Sabc', MN1)).toMatchObject({ kind: 'ae-s', id: '/Sabc', registrarIsThisCse: undefined });
    expect(identified('//m2msec.org/Sabc', MN1)).toMatchObject({ id: '/Sabc', sameSp: true });
  });

  it('choice (README): From naming this CSE or an AE under it is flagged ownedByThisCse', () => {
    expect(identified('/id-in', MN1)).toMatchObject({ kind: 'cse', ownedByThisCse: true });
    expect(identified('/id-in/Cabc', MN1)).toMatchObject({ ownedByThisCse: true, registrarIsThisCse: true });
  });

  it('TS-0001 Table 7.2-1: absolute IDs of other SPs stay absolute (they entered through the IN-CSE)', () => {
    expect(identified('//other.org/id-x/Cq1', MN1)).toMatchObject({
      kind: 'ae-c',
      id: '//other.org/id-x/Cq1',
      sameSp: false,
      registrarIsThisCse: false,
      ownedByThisCse: false,
      ownedByAnotherRegistree: false,
    });
  });

  it("choice (README): a '/S…' ID that equals a known CSE-ID is that CSE, not an S-type AE", () => {
    const c2: ClassifyContext = { ...ctx, registreeCseIds: new Set(['/Smn']) };
    const peer: Peer = { kind: 'cse', cseId: '/Sgw' };
    expect(classifyOriginator(retrieve('/Smn'), MN1, c2)).toMatchObject({
      kind: 'cse',
      id: '/Smn',
      registrarIsThisCse: true,
    });
    expect(classifyOriginator(retrieve('/Sgw'), peer, c2)).toMatchObject({ kind: 'cse', id: '/Sgw' });
    expect(classifyOriginator(retrieve('/Sother'), peer, c2)).toMatchObject({ kind: 'ae-s', id: '/Sother' });
  });
});

describe("Mcc': requests from another SP", () => {
  it("TS-0001 7.2: the IN-CSE converts From to absolute; non-absolute From over Mcc' is 4000", () => {
    expect(rejects(() => identified('/id-x', OTHER_SP), BAD)).toMatch(/Mcc'/);
    rejects(() => identified('Cabc', OTHER_SP), BAD);
    rejects(() => identified('/id-x/Cabc', OTHER_SP), BAD);
  });

  it("TS-0001 Table 7.2-1: an absolute ID of the peer's SP is within the peer SP", () => {
    expect(identified('//other.org/id-x/Cq', OTHER_SP)).toMatchObject({
      id: '//other.org/id-x/Cq',
      withinPeerSp: true,
    });
    expect(identified('//other.org/Sq', OTHER_SP)).toMatchObject({ kind: 'ae-s', withinPeerSp: true, sameSp: false });
  });

  it("choice (README): an ID of a third SP or of our own SP over Mcc' is flagged withinPeerSp=false", () => {
    expect(identified('//third.org/id-y', OTHER_SP).withinPeerSp).toBe(false);
    expect(identified('//m2msec.org/id-in', OTHER_SP)).toMatchObject({
      withinPeerSp: false,
      ownedByThisCse: true,
      id: '/id-in',
    });
  });
});

describe('no security association (peer unknown)', () => {
  it('TS-0004 7.3.2.1: every well-formed ID is classified; authentication applies the outside-SA rules', () => {
    expect(identified('/id-mn1', UNKNOWN)).toMatchObject({
      kind: 'cse',
      registrarIsThisCse: true,
      ownedByAnotherRegistree: false,
    });
    expect(identified('Cabc', UNKNOWN)).toMatchObject({ kind: 'ae-c', cseRelativeCStem: true });
    expect(identified('//other.org/id-x', UNKNOWN)).toMatchObject({ sameSp: false, withinPeerSp: true });
  });
});

describe('properties', () => {
  const seg = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,8}$/);
  const cseId = seg.filter((s) => !s.startsWith('S')).map((s) => `/${s}`);
  const cStem = seg.map((s) => `C${s}`);
  const sStem = seg.map((s) => `S${s}`);
  const sp = fc.constantFrom('m2msec.org', 'other.org');
  const id = fc.oneof(
    cseId,
    fc.tuple(cseId, cStem).map(([c, s]) => `${c}/${s}`),
    sStem.map((s) => `/${s}`),
    fc.tuple(sp, cseId, cStem).map(([p, c, s]) => `//${p}${c}/${s}`),
    fc.tuple(sp, sStem).map(([p, s]) => `//${p}/${s}`),
  );

  it('TS-0001 7.2: the normalised ID classifies to itself (normalisation is idempotent)', () => {
    fc.assert(
      fc.property(id, (fr) => {
        const first = identified(fr, UNKNOWN);
        const again = identified(first.id, UNKNOWN);
        expect(again.id).toBe(first.id);
        expect(again.kind).toBe(first.kind);
      }),
    );
  });

  it('TS-0001 7.2: the normalised ID is what toSpRelativeOriginator gives for the parsed From', () => {
    fc.assert(
      fc.property(id, fc.constantFrom<Peer>(UNKNOWN, MN1), (fr, peer) => {
        expect(identified(fr, peer).id).toBe(toSpRelativeOriginator(parseOriginator(fr), ctx));
      }),
    );
  });

  it('TS-0004 7.3.2.1: any string either classifies or fails with 4000, never another error', () => {
    const peers = fc.constantFrom<Peer>(AE, UNKNOWN, MN1, OTHER_SP);
    const ops = fc.constantFrom(1, 2, 3, 4, 5);
    const tys = fc.constantFrom(undefined, ResourceType.AE, ResourceType.remoteCSE, ResourceType.container);
    const from = fc.oneof(fc.string({ maxLength: 30 }), id, fc.constantFrom('C', 'S', '', '/', '//', '///'));
    fc.assert(
      fc.property(from, peers, ops, tys, (fr, peer, op, ty) => {
        try {
          classifyOriginator({ op, ty, fr }, peer, ctx);
        } catch (e) {
          expect(e).toBeInstanceOf(M2MError);
          expect((e as M2MError).rsc).toBe(BAD);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
