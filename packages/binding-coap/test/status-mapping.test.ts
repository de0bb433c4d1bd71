// TS-0008 clause 6.2.4, Table 6.2.4-1 (V3.9.0): every row, written out here independently of the table in
// src. Before this test the binding answered the 60xx management and external-object codes 6022-6024,
// 6028, 6029 (4.00 in the clause) and 6030, 6031 (5.04) with 5.00, and left most rows to a range fallback.
import { Operation, ResponseStatusCode } from '@m2msec/protocol';
import { describe, expect, it } from 'vitest';
import { coapCodeFor, coapCodeTable } from '../src/index.js';

/** 'c.dd' -> the CoAP code byte (class << 5 | detail, RFC 7252 3). */
const code = (s: string) => {
  const [cls, detail] = s.split('.').map(Number) as [number, number];
  return (cls << 5) | detail;
};

const rows: [number, string][] = [
  [1001, '2.01'],
  [2001, '2.01'],
  [2002, '2.02'],
  [2004, '2.04'],
  [4000, '4.00'],
  [4001, '5.01'],
  [4004, '4.04'],
  [4005, '4.05'],
  [4008, '5.04'],
  [4015, '4.15'],
  [4101, '4.03'],
  [4102, '4.00'],
  [4103, '4.03'],
  [4104, '4.00'],
  [4105, '4.03'],
  [4106, '4.03'],
  [4107, '4.03'],
  [4108, '4.03'],
  [4109, '4.03'],
  [4110, '4.00'],
  [4111, '4.03'],
  [4112, '4.03'],
  [4113, '4.03'],
  [4114, '4.03'],
  [4115, '4.03'],
  [4116, '4.03'],
  [4117, '4.03'],
  [4118, '4.04'],
  [4119, '4.04'],
  [4120, '4.02'],
  [4121, '4.04'],
  [4122, '4.02'],
  [4123, '4.00'],
  [4124, '4.00'],
  [4125, '5.01'],
  [4126, '4.03'],
  [4127, '4.03'],
  [4143, '4.00'],
  [5000, '5.00'],
  [5001, '5.01'],
  [5103, '4.04'],
  [5105, '4.03'],
  [5106, '4.00'],
  [5107, '4.04'],
  [5203, '4.03'],
  [5204, '5.00'],
  [5205, '4.03'],
  [5206, '5.01'],
  [5207, '4.06'],
  [5208, '4.03'],
  [5209, '5.00'],
  [5210, '5.00'],
  [5211, '5.00'],
  [5212, '5.00'],
  [5214, '4.03'],
  [5215, '4.03'],
  [5216, '5.00'],
  [5217, '5.00'],
  [5218, '4.03'],
  [5219, '4.00'],
  [5220, '4.00'],
  [5221, '5.00'],
  [5222, '4.03'],
  [6003, '4.04'],
  [6005, '4.04'],
  [6010, '4.00'],
  [6020, '5.00'],
  [6021, '5.00'],
  [6022, '4.00'],
  [6023, '4.00'],
  [6024, '4.00'],
  [6025, '5.00'],
  [6026, '5.00'],
  [6028, '4.00'],
  [6029, '4.00'],
  [6030, '5.04'],
  [6031, '5.04'],
];

describe('coapCodeFor (TS-0008 Table 6.2.4-1)', () => {
  it('maps every row of the table', () => {
    for (const [rsc, coap] of rows) expect(coapCodeFor(rsc, Operation.CREATE), String(rsc)).toBe(code(coap));
  });

  it('the management and external-object rows are no longer 5.00 (6022-6024, 6028, 6029: 4.00; 6030, 6031: 5.04)', () => {
    for (const rsc of [6022, 6023, 6024, 6028, 6029])
      expect(coapCodeFor(rsc, undefined), String(rsc)).toBe(code('4.00'));
    for (const rsc of [6030, 6031]) expect(coapCodeFor(rsc, undefined), String(rsc)).toBe(code('5.04'));
  });

  it('2000 is 2.05 Content for RETRIEVE and 2.04 Changed for NOTIFY (the two 2000 rows)', () => {
    expect(coapCodeFor(2000, Operation.RETRIEVE)).toBe(code('2.05'));
    expect(coapCodeFor(2000, Operation.NOTIFY)).toBe(code('2.04'));
  });

  it('every code this project produces has an explicit row; the table holds nothing the clause does not', () => {
    for (const [name, rsc] of Object.entries(ResponseStatusCode)) {
      if (rsc === 1000 || rsc === 2000) continue;
      expect(Object.hasOwn(coapCodeTable, rsc), `${name} ${rsc} missing`).toBe(true);
    }
    const listed = new Set(rows.map(([r]) => r));
    for (const rsc of Object.keys(coapCodeTable).map(Number)) {
      expect(listed.has(rsc) || rsc === 1002 || rsc === 4128, `${rsc} is not a row of the clause`).toBe(true);
    }
  });

  it('a code outside the table is never a success', () => {
    expect(coapCodeFor(4999, undefined)).toBe(code('5.00'));
    expect(coapCodeFor(2999, undefined)).toBe(code('5.00'));
    expect(coapCodeFor(4199, undefined)).toBe(code('4.03'));
  });
});
