import { describe, expect, it } from 'vitest';
import {
  CredIdTypeId,
  CryptoInputError,
  checkFqdn,
  formatCredentialID,
  formatKcKeyIdentifier,
  formatKeID,
  formatKmID,
  formatKpsaID,
  isCredIdTypeId,
  isSuid,
  parseCredentialID,
  parseCredIdTypeId,
  parseKcKeyIdentifier,
  parseKeID,
  parseKmID,
  parseKpsaID,
  parseSuid,
  Suid,
  sameKmID,
} from '../src/index.js';

const rel = Buffer.from('00112233445566778899aabbccddeeff', 'hex');

describe('KeID (clause 10.3.4) and the MAF Key Identifier (clause 10.3.5)', () => {
  it('formats lower-case hex and round-trips; parsing accepts upper-case hexBinary', () => {
    const keID = formatKeID(rel, 'mef.example.com');
    expect(keID).toBe('00112233445566778899aabbccddeeff@mef.example.com');
    expect(parseKeID(keID)).toEqual({ relativeKeID: rel, mefFqdn: 'mef.example.com' });
    expect(parseKeID('00112233445566778899AABBCCDDEEFF@mef.example.com').relativeKeID).toEqual(rel);
    const kid = formatKcKeyIdentifier(rel, 'maf.example.com');
    expect(parseKcKeyIdentifier(kid)).toEqual({ kcID: rel, mafFqdn: 'maf.example.com' });
  });

  it.each([
    ['', /exactly one '@'/],
    ['00112233445566778899aabbccddeeff', /exactly one '@'/],
    ['00112233445566778899aabbccddeeff@a@b', /exactly one '@'/],
    ['0011@mef.example.com', /32 hexadecimal digits .* got 4/],
    ['00112233445566778899aabbccddeefg@mef.example.com', /32 hexadecimal digits/],
    ['00112233445566778899aabbccddeeff@', /FQDN must be 1\.\.253/],
    ['00112233445566778899aabbccddeeff@mef..com', /invalid label ""/],
    ['00112233445566778899aabbccddeeff@-mef.com', /invalid label "-mef"/],
    ['00112233445566778899aabbccddeeff@mef.com.', /invalid label ""/],
  ])('parseKeID(%j) is refused', (value, message) => {
    expect(() => parseKeID(value)).toThrow(message);
    expect(() => parseKeID(value)).toThrow(CryptoInputError);
  });

  it('formatting refuses a relative id that is not 16 bytes', () => {
    expect(() => formatKeID(rel.subarray(0, 8), 'mef.example.com')).toThrow(/must be 16 bytes, got 8/);
    expect(() => parseKeID(42 as unknown as string)).toThrow(/KeID must be a string/);
  });
});

describe('KmID (clause 10.6) and KpsaID (clause 10.5)', () => {
  it('round-trips and compares KmID relative parts case-insensitively', () => {
    expect(formatKmID('Km-01_a.b', 'maf.example.com')).toBe('Km-01_a.b@maf.example.com');
    expect(parseKmID('Km-01@maf.example.com')).toEqual({ relativeKmID: 'Km-01', mafFqdn: 'maf.example.com' });
    expect(sameKmID('KM-01@MAF.example.com', 'km-01@maf.example.com')).toBe(true);
    expect(sameKmID('km-01@maf.example.com', 'km-02@maf.example.com')).toBe(false);
    expect(parseKpsaID('test@onem2m.com')).toEqual({ relativeKpsaID: 'test', issuerFqdn: 'onem2m.com' });
    expect(formatKpsaID('key.1', 'issuer.example.com')).toBe('key.1@issuer.example.com');
  });

  it.each(['@maf.example.com', 'a b@maf.example.com', 'k/1@maf.example.com', 'ké@maf.example.com', 'k@maf_1.com', 'k'])(
    'refuses %j',
    (value) => {
      expect(() => parseKmID(value)).toThrow(CryptoInputError);
      expect(() => parseKpsaID(value)).toThrow(CryptoInputError);
    },
  );
});

describe('Credential-ID (clause 10.4) with sec:credIDTypeID (Table 12.3.2.1-1)', () => {
  it('formats and parses, splitting at the first dash', () => {
    expect(formatCredentialID(CredIdTypeId.MefKey, 'thiskey@mymef.com')).toBe('10-thiskey@mymef.com');
    expect(parseCredentialID('12-abc-def@issuer.example.com')).toEqual({
      type: 12,
      value: 'abc-def@issuer.example.com',
    });
    expect(parseCredentialID('33-Cae01')).toEqual({ type: CredIdTypeId.TlsAeIdCertificate, value: 'Cae01' });
  });

  it.each([
    ['00-test@onem2m.com', /type "00" is not a positive integer/],
    ['17-x', /"17" is not a sec:credIDTypeID/],
    ['10-', /value must be non-empty/],
    ['-10', /<credIDTypeID>-<value>/],
    ['10', /<credIDTypeID>-<value>/],
    ['10-a/b', /only letters, digits/],
    ['x1-a', /not a positive integer/],
  ])('refuses %j', (value, message) => {
    expect(() => parseCredentialID(value)).toThrow(message);
  });

  it('the enum holds exactly the table values', () => {
    expect(Object.values(CredIdTypeId).sort((a, b) => a - b)).toEqual([
      10, 11, 12, 13, 14, 15, 16, 30, 31, 32, 33, 34, 41, 42, 43, 44, 45, 51, 52, 53, 54, 55,
    ]);
    expect(isCredIdTypeId(40)).toBe(false);
    expect(parseCredIdTypeId('55')).toBe(55);
    expect(() => formatCredentialID(99 as CredIdTypeId, 'x')).toThrow(/not a sec:credIDTypeID/);
  });
});

describe('m2m:suid (TS-0004 Table 6.3.4.2.39-1)', () => {
  it('holds exactly the table values and parses numbers or decimal strings', () => {
    expect(Object.values(Suid).sort((a, b) => a - b)).toEqual([
      10, 11, 12, 13, 14, 15, 21, 22, 23, 24, 25, 32, 33, 34, 35, 40, 41, 42, 43, 44, 45,
    ]);
    expect(parseSuid('22')).toBe(Suid.RspfSaef);
    expect(parseSuid(32)).toBe(Suid.MafSaef);
    expect(isSuid(31)).toBe(false);
    for (const bad of ['31', '022', ' 22', '2.2', 16, -10, '']) {
      expect(() => parseSuid(bad as string)).toThrow(/not an m2m:suid/);
    }
  });
});

describe('checkFqdn', () => {
  it('accepts host names and refuses the rest', () => {
    expect(checkFqdn('a.b-c.example')).toBe('a.b-c.example');
    expect(checkFqdn('localhost')).toBe('localhost');
    expect(() => checkFqdn(`${'a'.repeat(64)}.com`)).toThrow(/invalid label/);
    expect(() => checkFqdn(`${'a.'.repeat(127)}com`)).toThrow(/1\.\.253 characters/);
  });
});
