// TS-0003 7.2.2 at a Target that is also the AE's Registrar: the AE sends its AE-ID-Stem as From (TS-0004
// 7.3.2.1), the CSE-relative form of the AE-ID bound to the key. Only that form of exactly that AE-ID passes.
import { describe, expect, it } from 'vitest';
import { verifyESPrimOriginator } from '../src/index.js';

const req = (fr: string) => ({ op: 2, to: '/id-mn/cse-mn/data', fr, rqi: 'r', rvi: '3' }) as const;

describe('verifyESPrimOriginator', () => {
  it('SP-relative: exactly the identity', () => {
    expect(() => verifyESPrimOriginator(req('/id-mn/Cae1'), '/id-mn/Cae1')).not.toThrow();
    expect(() => verifyESPrimOriginator(req('/id-mn/Cae2'), '/id-mn/Cae1')).toThrow(
      expect.objectContaining({ rsc: 4116 }),
    );
  });

  it('CSE-relative only at the Registrar whose CSE-ID completes it to the identity', () => {
    expect(() => verifyESPrimOriginator(req('Cae1'), '/id-mn/Cae1', '/id-mn')).not.toThrow();
    expect(() => verifyESPrimOriginator(req('Cae1'), '/id-mn/Cae1')).toThrow(expect.objectContaining({ rsc: 4116 }));
    expect(() => verifyESPrimOriginator(req('Cae1'), '/id-mn/Cae1', '/id-in')).toThrow(
      expect.objectContaining({ rsc: 4116 }),
    );
    expect(() => verifyESPrimOriginator(req('Cae2'), '/id-mn/Cae1', '/id-mn')).toThrow(
      expect.objectContaining({ rsc: 4116 }),
    );
  });
});
