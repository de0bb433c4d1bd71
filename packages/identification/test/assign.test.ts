import { spawnSync } from 'node:child_process';
import { Operation, parseOriginator, ResourceType, ResponseStatusCode } from '@m2msec/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type AeIdDecision,
  assignAeId,
  classifyOriginator,
  generateAeIdStem,
  type RandomSource,
  type RegistrarContext,
} from '../src/index.js';
import { rejects } from './helpers.js';

const IN: RegistrarContext = { spId: 'm2msec.org', cseId: '/id-in', cseType: 'IN' };
const MN: RegistrarContext = { spId: 'm2msec.org', cseId: '/id-mn', cseType: 'MN' };
const BAD = ResponseStatusCode.BAD_REQUEST;
const FRESH = /^[CS][a-z2-7]{26}$/;
const fixed =
  (byte: number): RandomSource =>
  (b) => {
    b.fill(byte);
  };

describe('assignAeId (TS-0001 10.2.2.2 steps 002 / 004, TS-0004 7.4.5.2.1)', () => {
  it("TS-0001 10.2.2.2 step 004: From absent, SP policy 'C' (default): the registrar assigns a C-stem", () => {
    const a = assignAeId(undefined, IN) as AeIdDecision;
    expect(a).toMatchObject({ action: 'assigned', stemType: 'C', announceToInCse: false });
    expect(a.stem).toMatch(FRESH);
    expect(a.aeId).toBe(`/id-in/${a.stem}`);
    expect(assignAeId('', MN)).toMatchObject({ action: 'assigned', stemType: 'C' });
  });

  it("TS-0001 10.2.2.2 step 004: From absent, SP policy 'S': the registrar assigns an S-stem; an MN announces it (case b)", () => {
    const atIn = assignAeId(undefined, IN, { stemTypeWhenAbsent: 'S' }) as AeIdDecision;
    expect(atIn).toMatchObject({ action: 'assigned', stemType: 'S', announceToInCse: false });
    expect(atIn.aeId).toBe(`/${atIn.stem}`);
    expect(assignAeId(undefined, MN, { stemTypeWhenAbsent: 'S' })).toMatchObject({
      stemType: 'S',
      announceToInCse: true,
    });
  });

  it("TS-0001 10.2.2.2 case c: From 'C' gets a fresh registrar-assigned C-stem", () => {
    const a = assignAeId('C', MN) as AeIdDecision;
    expect(a).toMatchObject({ action: 'assigned', stemType: 'C', announceToInCse: false });
    expect(a.aeId).toBe(`/id-mn/${a.stem}`);
  });

  it("TS-0001 10.2.2.2 steps 006a/007a: From 'S' at the IN-CSE: the IN-CSE, the SP's assigner, picks the S-stem", () => {
    const a = assignAeId('S', IN) as AeIdDecision;
    expect(a).toMatchObject({ action: 'assigned', stemType: 'S', announceToInCse: false });
    expect(a.stem).toMatch(FRESH);
  });

  it("TS-0001 10.2.2.2 case a / TS-0004 7.4.5.2.1: From 'S' at an MN asks the IN-CSE via CREATE <AEAnnc> From '{CSE-ID}/S'", () => {
    expect(assignAeId('S', MN)).toEqual({ action: 'request-from-in-cse', stemType: 'S', announceFrom: '/id-mn/S' });
  });

  it('TS-0001 10.2.2.2 cases d/f: a complete C-stem is used as requested', () => {
    expect(assignAeId('Cmy-sensor.1', MN)).toEqual({
      action: 'use-requested',
      stemType: 'C',
      stem: 'Cmy-sensor.1',
      resourceId: 'Cmy-sensor.1',
      aeId: '/id-mn/Cmy-sensor.1',
      announceToInCse: false,
    });
  });

  it('TS-0001 10.2.2.2 cases b/e: a complete S-stem is used as requested; an MN announces it to the IN-CSE', () => {
    expect(assignAeId('Sdev42', MN)).toMatchObject({ action: 'use-requested', aeId: '/Sdev42', announceToInCse: true });
    expect(assignAeId('Sdev42', IN)).toMatchObject({
      action: 'use-requested',
      aeId: '/Sdev42',
      announceToInCse: false,
    });
  });

  it('TS-0001 10.2.2.2 steps 005b-005f: the <AE> resourceID equals the AE-ID-Stem', () => {
    for (const from of [undefined, 'C', 'S', 'Cabc', 'Sabc']) {
      const a = assignAeId(from, IN) as AeIdDecision;
      expect(a.resourceId).toBe(a.stem);
    }
  });

  it('TS-0001 Table 7.2-1: other first characters are reserved: 4000', () => {
    expect(rejects(() => assignAeId('myAE', IN), BAD)).toMatch(/'C' or 'S'/);
    rejects(() => assignAeId('c123', IN), BAD);
    rejects(() => assignAeId('Xabc', IN), BAD);
  });

  it('TS-0001 10.2.2.2 step 002: From carries an AE-ID-Stem, not an SP-relative or absolute ID: 4000', () => {
    expect(rejects(() => assignAeId('/id-in/Cabc', IN), BAD)).toMatch(/not an SP-relative or absolute/);
    rejects(() => assignAeId('//m2msec.org/Sabc', IN), BAD);
  });

  it("TS-0004 6.2.3: the stem's tail is a letter or digit then letters, digits, '-', '.', '_'", () => {
    for (const bad of ['C-abc', 'C.abc', 'Ca~b', 'Ca/b', 'Ca b', 'S_x', 'Cä']) rejects(() => assignAeId(bad, IN), BAD);
    expect(assignAeId('C0-._z', IN)).toMatchObject({ stem: 'C0-._z' });
  });
});

describe('generateAeIdStem', () => {
  it('RFC 4648 base32 known answers: zero bytes and all-ones bytes', () => {
    expect(generateAeIdStem('C', fixed(0))).toBe(`C${'a'.repeat(26)}`);
    expect(generateAeIdStem('S', fixed(0xff))).toBe(`S${'7'.repeat(25)}4`);
  });

  it('matches coreutils base32 (independent RFC 4648 encoder) on random inputs', () => {
    for (let i = 0; i < 20; i++) {
      let seen: Uint8Array = new Uint8Array();
      const stem = generateAeIdStem('C', (b) => {
        crypto.getRandomValues(b);
        seen = Uint8Array.from(b);
      });
      const out = spawnSync('base32', ['-w', '0'], { input: seen });
      expect(out.status).toBe(0);
      const expected = out.stdout.toString().replace(/=+$/, '').toLowerCase();
      expect(stem).toBe(`C${expected}`);
    }
  });

  it('stems are random: 2000 draws are distinct and use the whole alphabet', () => {
    const stems = new Set(Array.from({ length: 2000 }, () => generateAeIdStem('C')));
    expect(stems.size).toBe(2000);
    const chars = new Set([...stems].flatMap((s) => [...s.slice(1, 26)]));
    expect(chars.size).toBe(32);
  });

  it('property: assigned C-stems parse back as ae-c and classify as an AE registered here (TS-0001 Table 7.2-1)', () => {
    const ctx = { spId: 'm2msec.org', cseId: '/id-in', registreeCseIds: new Set<string>() };
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 16, maxLength: 16 }),
        fc.constantFrom<'C' | 'S'>('C', 'S'),
        (bytes, type) => {
          const stem = generateAeIdStem(type, (b) => b.set(bytes));
          const parsed = parseOriginator(stem);
          expect(parsed.kind).toBe(type === 'C' ? 'ae-c' : 'ae-s');
          const c = classifyOriginator({ op: Operation.RETRIEVE, fr: stem }, { kind: 'ae' }, ctx);
          expect(c).toMatchObject({ stem, registrarIsThisCse: true });
          // and it is accepted back as a requested stem at a later re-registration (case d / b)
          expect(assignAeId(stem, { ...ctx, cseType: 'IN' })).toMatchObject({ action: 'use-requested', stem });
          expect(
            classifyOriginator({ op: Operation.CREATE, ty: ResourceType.AE, fr: stem }, { kind: 'ae' }, ctx).kind,
          ).toBe(type === 'C' ? 'ae-c' : 'ae-s');
        },
      ),
    );
  });
});
