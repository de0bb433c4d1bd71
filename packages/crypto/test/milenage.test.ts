import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { computeOPc, Milenage } from '../src/index.js';
import { fromHex, osmoAucGen } from './helpers/tools.js';

// 3GPP TS 35.208 clause 4.3, test sets 1-6.
const TEST_SETS = [
  {
    set: 1,
    k: '465b5ce8b199b49faa5f0a2ee238a6bc',
    rand: '23553cbe9637a89d218ae64dae47bf35',
    sqn: 'ff9bb4d0b607',
    amf: 'b9b9',
    op: 'cdc202d5123e20f62b6d676ac72cb318',
    opc: 'cd63cb71954a9f4e48a5994e37a02baf',
    f1: '4a9ffac354dfafb3',
    f1s: '01cfaf9ec4e871e9',
    f2: 'a54211d5e3ba50bf',
    f3: 'b40ba9a3c58b2a05bbf0d987b21bf8cb',
    f4: 'f769bcd751044604127672711c6d3441',
    f5: 'aa689c648370',
    f5s: '451e8beca43b',
  },
  {
    set: 2,
    k: '0396eb317b6d1c36f19c1c84cd6ffd16',
    rand: 'c00d603103dcee52c4478119494202e8',
    sqn: 'fd8eef40df7d',
    amf: 'af17',
    op: 'ff53bade17df5d4e793073ce9d7579fa',
    opc: '53c15671c60a4b731c55b4a441c0bde2',
    f1: '5df5b31807e258b0',
    f1s: 'a8c016e51ef4a343',
    f2: 'd3a628ed988620f0',
    f3: '58c433ff7a7082acd424220f2b67c556',
    f4: '21a8c1f929702adb3e738488b9f5c5da',
    f5: 'c47783995f72',
    f5s: '30f1197061c1',
  },
  {
    set: 3,
    k: 'fec86ba6eb707ed08905757b1bb44b8f',
    rand: '9f7c8d021accf4db213ccff0c7f71a6a',
    sqn: '9d0277595ffc',
    amf: '725c',
    op: 'dbc59adcb6f9a0ef735477b7fadf8374',
    opc: '1006020f0a478bf6b699f15c062e42b3',
    f1: '9cabc3e99baf7281',
    f1s: '95814ba2b3044324',
    f2: '8011c48c0c214ed2',
    f3: '5dbdbb2954e8f3cde665b046179a5098',
    f4: '59a92d3b476a0443487055cf88b2307b',
    f5: '33484dc2136b',
    f5s: 'deacdd848cc6',
  },
  {
    set: 4,
    k: '9e5944aea94b81165c82fbf9f32db751',
    rand: 'ce83dbc54ac0274a157c17f80d017bd6',
    sqn: '0b604a81eca8',
    amf: '9e09',
    op: '223014c5806694c007ca1eeef57f004f',
    opc: 'a64a507ae1a2a98bb88eb4210135dc87',
    f1: '74a58220cba84c49',
    f1s: 'ac2cc74a96871837',
    f2: 'f365cd683cd92e96',
    f3: 'e203edb3971574f5a94b0d61b816345d',
    f4: '0c4524adeac041c4dd830d20854fc46b',
    f5: 'f0b9c08ad02e',
    f5s: '6085a86c6f63',
  },
  {
    set: 5,
    k: '4ab1deb05ca6ceb051fc98e77d026a84',
    rand: '74b0cd6031a1c8339b2b6ce2b8c4a186',
    sqn: 'e880a1b580b6',
    amf: '9f07',
    op: '2d16c5cd1fdf6b22383584e3bef2a8d8',
    opc: 'dcf07cbd51855290b92a07a9891e523e',
    f1: '49e785dd12626ef2',
    f1s: '9e85790336bb3fa2',
    f2: '5860fc1bce351e7e',
    f3: '7657766b373d1c2138f307e3de9242f9',
    f4: '1c42e960d89b8fa99f2744e0708ccb53',
    f5: '31e11a609118',
    f5s: 'fe2555e54aa9',
  },
  {
    set: 6,
    k: '6c38a116ac280c454f59332ee35c8c4f',
    rand: 'ee6466bc96202c5a557abbeff8babf63',
    sqn: '414b98222181',
    amf: '4464',
    op: '1ba00a1a7c6700ac8c3ff3e96ad08725',
    opc: '3803ef5363b947c6aaa225e58fae3934',
    f1: '078adfb488241a57',
    f1s: '80246b8d0186bcf1',
    f2: '16c8233f05a0ac28',
    f3: '3f8c7587fe8e4b233af676aede30ba3b',
    f4: 'a7466cc1e6b2a1337d49d3b66e95d7b4',
    f5: '45b0f69ab06c',
    f5s: '1f53cd2b1113',
  },
];

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const xor = (a: Uint8Array, b: Uint8Array) => Buffer.from(a.map((x, i) => x ^ b[i]!));

/** AUTN = SQN xor AK || AMF || MAC-A (3GPP TS 33.102 clause 6.3.2). */
function autn(m: Milenage, rand: Buffer, sqn: Buffer, amf: Buffer): string {
  return hex(Buffer.concat([xor(sqn, m.f5(rand)), amf, m.f1(rand, sqn, amf).macA]));
}

describe('Milenage (3GPP TS 35.206) against the TS 35.208 test sets', () => {
  it.each(TEST_SETS)('test set $set: OPc, f1, f1*, f2, f3, f4, f5, f5*', (t) => {
    expect(hex(computeOPc(fromHex(t.k), fromHex(t.op)))).toBe(t.opc);
    const m = new Milenage(fromHex(t.k), fromHex(t.opc));
    const rand = fromHex(t.rand);
    const { macA, macS } = m.f1(rand, fromHex(t.sqn), fromHex(t.amf));
    expect(hex(macA)).toBe(t.f1);
    expect(hex(macS)).toBe(t.f1s);
    const v = m.f2345(rand);
    expect([hex(v.res), hex(v.ck), hex(v.ik), hex(v.ak)]).toEqual([t.f2, t.f3, t.f4, t.f5]);
    expect([hex(m.f2(rand)), hex(m.f3(rand)), hex(m.f4(rand)), hex(m.f5(rand))]).toEqual([t.f2, t.f3, t.f4, t.f5]);
    expect(hex(m.f5Star(rand))).toBe(t.f5s);
  });
});

describe('Milenage cross-checked with osmo-auc-gen (libosmocore)', () => {
  const cases = [
    ...TEST_SETS.map((t) => ({
      name: `test set ${t.set}`,
      k: fromHex(t.k),
      op: fromHex(t.op),
      rand: fromHex(t.rand),
      sqn: fromHex(t.sqn),
      amf: fromHex(t.amf),
    })),
    ...[1, 2, 3].map((i) => ({
      name: `random ${i}`,
      k: randomBytes(16),
      op: randomBytes(16),
      rand: randomBytes(16),
      sqn: randomBytes(6),
      amf: randomBytes(2),
    })),
  ];

  it.each(cases)('$name: RES, CK, IK and AUTN (f1, f5) agree, given OP or OPc', ({ k, op, rand, sqn, amf }) => {
    const opc = computeOPc(k, op);
    const m = new Milenage(k, opc);
    const v = m.f2345(rand);
    const sqnDecimal = BigInt(`0x${hex(sqn)}`).toString();
    for (const opArgs of [
      ['-O', hex(op)],
      ['-o', hex(opc)],
    ]) {
      const out = osmoAucGen(['-k', hex(k), ...opArgs, '-r', hex(rand), '-s', sqnDecimal, '-f', hex(amf)]);
      expect(out.RES).toBe(hex(v.res));
      expect(out.CK).toBe(hex(v.ck));
      expect(out.IK).toBe(hex(v.ik));
      expect(out.AUTN).toBe(autn(m, rand, sqn, amf));
    }
  });

  it.each(cases.slice(0, 3))(
    '$name: osmo-auc-gen recovers SQN_MS from an AUTS built with f1* and f5*',
    ({ k, op, rand, sqn, amf }) => {
      // AUTS = SQN_MS xor AK* || MAC-S, MAC-S = f1*(SQN_MS, RAND, AMF = 0x0000) (TS 33.102 clause 6.3.3).
      const opc = computeOPc(k, op);
      const m = new Milenage(k, opc);
      const auts = Buffer.concat([xor(sqn, m.f5Star(rand)), m.f1(rand, sqn, Buffer.alloc(2)).macS]);
      const out = osmoAucGen(['-k', hex(k), '-o', hex(opc), '-r', hex(rand), '-A', hex(auts), '-f', hex(amf)]);
      expect(out['SQN.MS']).toBe(BigInt(`0x${hex(sqn)}`).toString());
      // A MAC-S that is off by one bit must be refused by the independent implementation too.
      auts[13]! ^= 1;
      expect(() =>
        osmoAucGen(['-k', hex(k), '-o', hex(opc), '-r', hex(rand), '-A', hex(auts), '-f', hex(amf)]),
      ).toThrow(/AUTS from MS seems incorrect/);
    },
  );

  it('rejects wrong lengths of K, OPc, RAND, SQN and AMF', () => {
    expect(() => new Milenage(Buffer.alloc(15), Buffer.alloc(16))).toThrow(/K must be 16 bytes, got 15/);
    expect(() => new Milenage(Buffer.alloc(16), Buffer.alloc(17))).toThrow(/OPc must be 16 bytes, got 17/);
    const m = new Milenage(Buffer.alloc(16), Buffer.alloc(16));
    expect(() => m.f2345(Buffer.alloc(8))).toThrow(/RAND must be 16 bytes/);
    expect(() => m.f1(Buffer.alloc(16), Buffer.alloc(5), Buffer.alloc(2))).toThrow(/SQN must be 6 bytes/);
    expect(() => m.f1(Buffer.alloc(16), Buffer.alloc(6), Buffer.alloc(3))).toThrow(/AMF must be 2 bytes/);
    expect(() => computeOPc(Buffer.alloc(16), Buffer.alloc(4))).toThrow(/OP must be 16 bytes/);
  });
});
