import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { defaultUaSecurityProtocolId, deriveKsNaf, gbaKdf, uaSecurityProtocolIdForTls } from '../src/index.js';
import { opensslHmacSha256 } from './helpers/tools.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** S = FC || P0 || L0 || ... built here independently of the package (TS 33.220 B.2). */
function buildS(fc: number, params: Buffer[]): Buffer {
  const parts: Buffer[] = [Buffer.of(fc)];
  for (const p of params) {
    const l = Buffer.alloc(2);
    l.writeUInt16BE(p.length);
    parts.push(p, l);
  }
  return Buffer.concat(parts);
}

describe('GBA key derivation (3GPP TS 33.220 Annex B)', () => {
  const ck = randomBytes(16);
  const ik = randomBytes(16);
  const ks = Buffer.concat([ck, ik]);
  const rand = randomBytes(16);
  const impi = '001010123456789@ims.mnc001.mcc001.3gppnetwork.org';

  it('the default Ua security protocol id is 3GPP TLS with TLS_PSK_WITH_AES_128_CBC_SHA256', () => {
    expect(hex(defaultUaSecurityProtocolId())).toBe('01000100ae');
    expect(hex(uaSecurityProtocolIdForTls(0xc0a8))).toBe('010001c0a8');
    expect(() => uaSecurityProtocolIdForTls(0x10000)).toThrow(/16-bit code/);
  });

  it('Ks_NAF = HMAC-SHA-256(Ks, 0x01 || "gba-me" || L || RAND || L || IMPI || L || NAF_Id || L), as openssl computes it', () => {
    const nafFqdn = 'maf.example.com';
    const nafId = Buffer.concat([Buffer.from(nafFqdn), Buffer.from('01000100ae', 'hex')]);
    const s = buildS(0x01, [Buffer.from('gba-me'), rand, Buffer.from(impi), nafId]);
    expect(hex(deriveKsNaf({ ks, rand, impi, nafFqdn }))).toBe(opensslHmacSha256(ks, s));
  });

  it('the Ua protocol id and the gba-u variant are parameters and change the key', () => {
    const nafFqdn = 'in-cse.sp.example.com';
    const ua = Buffer.from('0100000002', 'hex'); // HTTP digest (TS 24.109)
    const s = buildS(0x01, [Buffer.from('gba-u'), rand, Buffer.from(impi), Buffer.concat([Buffer.from(nafFqdn), ua])]);
    const ksIntNaf = deriveKsNaf({ ks, rand, impi, nafFqdn, uaSecurityProtocolId: ua, variant: 'gba-u' });
    expect(hex(ksIntNaf)).toBe(opensslHmacSha256(ks, s));
    expect(ksIntNaf).not.toEqual(deriveKsNaf({ ks, rand, impi, nafFqdn, variant: 'gba-u' }));
  });

  it('gbaKdf encodes 2-byte lengths, empty parameters included', () => {
    const key = randomBytes(32);
    const params = [Buffer.alloc(0), randomBytes(300), Buffer.from('x')];
    expect(hex(gbaKdf(key, 0x01, params))).toBe(opensslHmacSha256(key, buildS(0x01, params)));
  });

  it('fails closed on bad Ks, RAND, Ua id, NAF FQDN, FC and over-long parameters', () => {
    const base = { ks, rand, impi, nafFqdn: 'maf.example.com' };
    expect(() => deriveKsNaf({ ...base, ks: ks.subarray(0, 16) })).toThrow(/Ks must be 32 bytes, got 16/);
    expect(() => deriveKsNaf({ ...base, rand: rand.subarray(0, 8) })).toThrow(/RAND must be 16 bytes/);
    expect(() => deriveKsNaf({ ...base, uaSecurityProtocolId: Buffer.alloc(4) })).toThrow(
      /uaSecurityProtocolId must be 5 bytes/,
    );
    expect(() => deriveKsNaf({ ...base, nafFqdn: 'bad_host.example.com' })).toThrow(/nafFqdn .* invalid label/);
    expect(() => deriveKsNaf({ ...base, impi: '' })).toThrow(/IMPI must not be empty/);
    expect(() => deriveKsNaf({ ...base, variant: 'gba' as 'gba-me' })).toThrow(/variant must be/);
    expect(() => gbaKdf(ks, 256, [])).toThrow(/FC must be one octet/);
    expect(() => gbaKdf(ks, 1, [Buffer.alloc(65536)])).toThrow(/P0 is 65536 bytes/);
  });
});
