// AKA values cross-checked against osmo-auc-gen (libosmocore's Milenage) run inside the test.
import { randomBytes } from 'node:crypto';
import { computeOPc, Milenage } from '@m2msec/crypto';
import { describe, expect, it } from 'vitest';
import {
  akaNonce,
  buildAuts,
  DEFAULT_SQN_POLICY,
  generateAuthenticationVector,
  resynchronisedSeq,
  Usim,
  verifyAuts,
} from '../src/index.js';
import { composeSqn, splitSqn } from '../src/lib/sqn.js';
import { hex, osmoAucGen } from './helpers/tools.js';

// TS 35.208 test set 1 (K, OP) plus random subscribers.
const SUBSCRIBERS = [
  {
    k: Buffer.from('465b5ce8b199b49faa5f0a2ee238a6bc', 'hex'),
    op: Buffer.from('cdc202d5123e20f62b6d676ac72cb318', 'hex'),
  },
  { k: randomBytes(16), op: randomBytes(16) },
  { k: randomBytes(16), op: randomBytes(16) },
];

describe('authentication vectors and the USIM against osmo-auc-gen', () => {
  it.each(SUBSCRIBERS.map((s, i) => ({ ...s, i })))(
    'subscriber $i: RES, CK, IK, AUTN and the AKA nonce agree',
    ({ k, op }) => {
      const opc = computeOPc(k, op);
      const m = new Milenage(k, opc);
      for (const [seq, ind] of [
        [1, 0],
        [4711, 3],
        [2 ** 28, 31],
      ] as const) {
        const rand = randomBytes(16);
        const amf = randomBytes(2);
        const sqn = composeSqn(seq, ind, 5);
        const av = generateAuthenticationVector(m, rand, sqn, amf);
        const osmo = osmoAucGen(['-k', hex(k), '-o', hex(opc), '-r', hex(rand), '-s', String(sqn), '-f', hex(amf)]);
        expect(osmo.SQN).toBe(String(sqn));
        expect(hex(av.xres)).toBe(osmo.RES);
        expect(hex(av.ck)).toBe(osmo.CK);
        expect(hex(av.ik)).toBe(osmo.IK);
        expect(hex(av.autn)).toBe(osmo.AUTN);
        // RFC 3310 3.1 nonce = base64(RAND || AUTN): osmo-auc-gen prints the same "IMS nonce".
        expect(akaNonce(rand, av.autn)).toBe(osmo['IMS nonce']);
        // The device side recovers SQN and computes the same RES / CK / IK.
        const usim = new Usim({ k, op });
        const out = usim.authenticate(rand, av.autn);
        expect(out.kind).toBe('success');
        if (out.kind !== 'success') return;
        expect(out.sqn).toBe(sqn);
        expect([hex(out.res), hex(out.ck), hex(out.ik)]).toEqual([osmo.RES, osmo.CK, osmo.IK]);
      }
    },
  );

  it('a USIM ahead of the HE answers with AUTS; osmo-auc-gen recovers SQN_MS and picks the same next SQN', () => {
    const { k, op } = SUBSCRIBERS[1]!;
    const opc = computeOPc(k, op);
    const m = new Milenage(k, opc);
    const usim = new Usim({ k, opc });
    // The USIM accepted SEQ 9000 in slot 0 (e.g. the HSS was restored from an old backup); the HE is at SEQ 10.
    const warm = Buffer.alloc(16, 7);
    const first = usim.authenticate(
      warm,
      generateAuthenticationVector(m, warm, composeSqn(9000, 0, 5), Buffer.alloc(2)).autn,
    );
    expect(first.kind).toBe('success');

    const rand = randomBytes(16);
    const stale = generateAuthenticationVector(m, rand, composeSqn(11, 0, 5), Buffer.alloc(2));
    const out = usim.authenticate(rand, stale.autn);
    expect(out.kind).toBe('sync-failure');
    if (out.kind !== 'sync-failure') return;
    expect(usim.sqnMs).toBe(composeSqn(9000, 0, 5));

    const sqnMs = verifyAuts(m, rand, out.auts);
    expect(sqnMs).toBe(usim.sqnMs);
    const osmo = osmoAucGen([
      '-k',
      hex(k),
      '-o',
      hex(opc),
      '-r',
      hex(rand),
      '-A',
      hex(out.auts),
      '-f',
      '0000',
      '-i',
      '0',
    ]);
    expect(osmo['SQN.MS']).toBe(String(sqnMs));
    // TS 33.102 6.3.5: SEQ_HE (11) + 1 is not acceptable against SEQ_MS (9000) -> reset; the next SQN is
    // SEQ_MS + 1 with this BSF's IND, the value osmo-auc-gen generates after the AUTS.
    const seqMs = splitSqn(sqnMs!, 5).seq;
    const nextSqn = composeSqn(resynchronisedSeq(11, seqMs, DEFAULT_SQN_POLICY) + 1, 0, 5);
    expect(String(nextSqn)).toBe(osmo.SQN);
    const fresh = generateAuthenticationVector(m, rand, nextSqn, Buffer.alloc(2));
    expect(hex(fresh.autn)).toBe(osmo.AUTN);
    expect(usim.authenticate(rand, fresh.autn).kind).toBe('success');
  });

  it('a corrupted MAC-S is refused here and by osmo-auc-gen', () => {
    const { k, op } = SUBSCRIBERS[0]!;
    const opc = computeOPc(k, op);
    const m = new Milenage(k, opc);
    const rand = randomBytes(16);
    const auts = buildAuts(m, rand, composeSqn(77, 1, 5));
    expect(verifyAuts(m, rand, auts)).toBe(composeSqn(77, 1, 5));
    auts[13]! ^= 0x01;
    expect(verifyAuts(m, rand, auts)).toBeUndefined();
    expect(() => osmoAucGen(['-k', hex(k), '-o', hex(opc), '-r', hex(rand), '-A', hex(auts)])).toThrow(
      /AUTS from MS seems incorrect/,
    );
    expect(verifyAuts(m, rand, auts.subarray(0, 13))).toBeUndefined();
  });

  it('the USIM refuses a bad MAC-A (no AUTS), a replayed AUTN and a jump beyond delta', () => {
    const { k, op } = SUBSCRIBERS[2]!;
    const m = new Milenage(k, computeOPc(k, op));
    const usim = new Usim({ k, op, sqnPolicy: { indBits: 5, delta: 1000 } });
    const rand = randomBytes(16);
    const av = generateAuthenticationVector(m, rand, composeSqn(5, 0, 5), Buffer.alloc(2));
    const forged = Buffer.from(av.autn);
    forged[15]! ^= 0x80;
    expect(() => usim.authenticate(rand, forged)).toThrow(/MAC failure/);
    expect(usim.authenticate(rand, av.autn).kind).toBe('success');
    expect(usim.authenticate(rand, av.autn).kind).toBe('sync-failure'); // replay: SEQ not above SEQ_MS[IND]
    const far = generateAuthenticationVector(m, rand, composeSqn(5 + 1001, 1, 5), Buffer.alloc(2));
    expect(usim.authenticate(rand, far.autn).kind).toBe('sync-failure');
    const near = generateAuthenticationVector(m, rand, composeSqn(5 + 1000, 1, 5), Buffer.alloc(2));
    expect(usim.authenticate(rand, near.autn).kind).toBe('success');
    // Slots are independent (C.2.2): a lower SEQ in an unused slot is still fresh.
    const other = generateAuthenticationVector(m, rand, composeSqn(6, 2, 5), Buffer.alloc(2));
    expect(usim.authenticate(rand, other.autn).kind).toBe('success');
    expect(new Usim({ k, op, state: usim.exportState() }).sqnMs).toBe(composeSqn(1005, 1, 5));
  });

  it('resynchronisedSeq keeps SEQ_HE when its next value is acceptable', () => {
    const p = { indBits: 5, delta: 100 };
    expect(resynchronisedSeq(50, 40, p)).toBe(50);
    expect(resynchronisedSeq(40, 40, p)).toBe(40);
    expect(resynchronisedSeq(39, 40, p)).toBe(40);
    expect(resynchronisedSeq(200, 40, p)).toBe(40);
  });
});
