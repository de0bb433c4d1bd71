import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  CryptoInputError,
  deriveKe2eMaster,
  deriveKm,
  deriveKpsa,
  deriveMafPairwiseESPrimKey,
  deriveSessionESPrimKey,
  deriveUsageConstrainedKey,
  expandKe2e,
  formatKcKeyIdentifier,
  formatKeID,
  LABEL_KM,
  LABEL_KPSA,
  LABEL_MAF_PAIRWISE_ESPRIM_KEY,
  LABEL_SESSION_ESPRIM_KEY,
  LABEL_USAGE_CONSTRAINED,
  LABELS_KE2E,
  Suid,
  splitBootstrapExport,
  splitConnectionExport,
  splitEscertkeExport,
} from '../src/index.js';
import { fromHex, opensslHkdf, opensslHmacSha256 } from './helpers/tools.js';

const utf8 = (s: string) => Buffer.from(s, 'utf8');
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('TS-0003 clause 10.3.1: splitting the 48-byte exporter output', () => {
  const out = Buffer.from(Array.from({ length: 48 }, (_, i) => i));

  it('RelativeKeID = 16 most significant bytes, Ke = 32 least significant bytes', () => {
    const { ke, relativeKeID } = splitBootstrapExport(out);
    expect(hex(relativeKeID)).toBe('000102030405060708090a0b0c0d0e0f');
    expect(hex(ke)).toBe(hex(out.subarray(16)));
    expect(formatKeID(relativeKeID, 'mef.example.com')).toBe('000102030405060708090a0b0c0d0e0f@mef.example.com');
  });

  it('the same split for Kc/KcID and pairwiseE2EKey/ID; results are copies', () => {
    const { kc, kcID } = splitConnectionExport(out);
    expect([hex(kcID), hex(kc)]).toEqual([hex(out.subarray(0, 16)), hex(out.subarray(16))]);
    expect(formatKcKeyIdentifier(kcID, 'maf.example.com')).toBe(`${hex(out.subarray(0, 16))}@maf.example.com`);
    const e = splitEscertkeExport(out);
    expect(hex(e.pairwiseE2EKeyID)).toBe(hex(kcID));
    kc.fill(0);
    expect(out[16]).toBe(16);
  });

  it('refuses anything but 48 bytes', () => {
    expect(() => splitBootstrapExport(Buffer.alloc(32))).toThrow(/bootstrap exporter output must be 48 bytes, got 32/);
    expect(() => splitConnectionExport(Buffer.alloc(49))).toThrow(/must be 48 bytes, got 49/);
  });
});

describe('TS-0003 clauses 10.3.2, 10.3.3, 10.3.7: HMAC-SHA-256 derivations from Ke', () => {
  const ke = randomBytes(32);

  it('Km = HMAC-SHA-256(Ke, label || MAF-ID), as openssl computes it', () => {
    const mafID = 'MAF-1.maf.example.com';
    expect(hex(deriveKm(ke, mafID))).toBe(opensslHmacSha256(ke, Buffer.concat([utf8(LABEL_KM), utf8(mafID)])));
    expect(LABEL_KM).toBe('oneM2M Enrolment Key to Master Credential derivation');
  });

  it('Kpsa = HMAC-SHA-256(Ke, label || Enrolee-B-ID), as openssl computes it', () => {
    const id = '/in-cse/Cae-sensor-01';
    expect(hex(deriveKpsa(ke, id))).toBe(opensslHmacSha256(ke, Buffer.concat([utf8(LABEL_KPSA), utf8(id)])));
    expect(LABEL_KPSA).toBe('oneM2M Enrolment Key to Provisioned Secure Connection Key derivation');
  });

  it('usage-constrained key = HMAC-SHA-256(Ke, label || SUID (decimal ASCII) || Enrolment-Target-ID)', () => {
    const target = 'in-cse.sp.example.com';
    expect(hex(deriveUsageConstrainedKey(ke, Suid.RspfSaef, target))).toBe(
      opensslHmacSha256(ke, Buffer.concat([utf8(LABEL_USAGE_CONSTRAINED), utf8('22'), utf8(target)])),
    );
    expect(hex(deriveUsageConstrainedKey(ke, Suid.RspfSaef, target))).not.toBe(
      hex(deriveUsageConstrainedKey(ke, Suid.RspfEsprim, target)),
    );
  });

  it('applies NFKC before UTF-8: compatibility and composed forms derive the same key', () => {
    expect(deriveKm(ke, 'ＭＡＦ－１')).toEqual(deriveKm(ke, 'MAF-1'));
    expect(deriveKpsa(ke, 'cafe\u0301')).toEqual(deriveKpsa(ke, 'caf\u00e9'));
    expect(hex(deriveKpsa(ke, 'caf\u00e9'))).toBe(
      opensslHmacSha256(ke, Buffer.concat([utf8(LABEL_KPSA), Buffer.from('636166c3a9', 'hex')])),
    );
  });

  it('fails closed on a wrong Ke length, empty or ill-formed identities and unknown SUIDs', () => {
    expect(() => deriveKm(ke.subarray(0, 16), 'MAF-1')).toThrow(/Ke must be 32 bytes, got 16/);
    expect(() => deriveKpsa(ke, '')).toThrow(/Enrolee-B-ID must not be empty/);
    expect(() => deriveKm(ke, 'a\uD800')).toThrow(/lone UTF-16 surrogate/);
    expect(() => deriveUsageConstrainedKey(ke, 99 as Suid, 'x.example.com')).toThrow(CryptoInputError);
    expect(() => deriveUsageConstrainedKey(ke, 99 as Suid, 'x.example.com')).toThrow(/not an m2m:suid/);
  });
});

describe('TS-0003 clause 10.3.6: Ke2e_master and its expansion', () => {
  const kpsa = randomBytes(32);
  const salt = randomBytes(16);

  it('Ke2e_master = HMAC-SHA-256(Salt, Kpsa) equals openssl HKDF EXTRACT_ONLY', () => {
    expect(hex(deriveKe2eMaster(salt, kpsa))).toBe(
      opensslHkdf('EXTRACT_ONLY', 'SHA256', kpsa, salt, Buffer.alloc(0), 32),
    );
  });

  it('T(1) equals openssl HKDF EXPAND_ONLY with info = label 1; T(2..4) chain as the clause writes them', () => {
    const master = deriveKe2eMaster(salt, kpsa);
    const keys = expandKe2e(master);
    expect(hex(keys.msgAuth)).toBe(
      opensslHkdf('EXPAND_ONLY', 'SHA256', master, Buffer.alloc(0), utf8(LABELS_KE2E[0]), 32),
    );
    const t2 = opensslHmacSha256(
      master,
      Buffer.concat([keys.msgAuth, utf8('E2E Message Confidentiality Key'), Buffer.of(2)]),
    );
    const t3 = opensslHmacSha256(
      master,
      Buffer.concat([fromHex(t2), utf8('E2E Attribute Authenticity Key'), Buffer.of(3)]),
    );
    const t4 = opensslHmacSha256(
      master,
      Buffer.concat([fromHex(t3), utf8('E2E Attribute Confidentiality Key'), Buffer.of(4)]),
    );
    expect([hex(keys.msgConf), hex(keys.attAuth), hex(keys.attConf)]).toEqual([t2, t3, t4]);
  });

  it('refuses an empty salt, a short Kpsa and a master of the wrong size', () => {
    expect(() => deriveKe2eMaster(Buffer.alloc(0), kpsa)).toThrow(/salt must not be empty/);
    expect(() => deriveKe2eMaster(salt, kpsa.subarray(0, 8))).toThrow(/Kpsa must be at least 16 bytes/);
    expect(() => expandKe2e(Buffer.alloc(20))).toThrow(/Ke2e_master must be 32 bytes/);
  });
});

describe('TS-0003 clause 10.3.8.2: sessionESPrimKey', () => {
  it('HMAC-SHA256(pairwiseESPrimKey, receiverRand || originatorRand || label), as openssl computes it', () => {
    const key = randomBytes(32);
    const r = randomBytes(16);
    const o = randomBytes(16);
    expect(hex(deriveSessionESPrimKey(key, r, o))).toBe(
      opensslHmacSha256(key, Buffer.concat([r, o, utf8(LABEL_SESSION_ESPRIM_KEY)])),
    );
    expect(() => deriveSessionESPrimKey(key, Buffer.alloc(0), o)).toThrow(/must not be empty/);
  });
});

describe('TS-0003 8.4.2 A / C.6a.4: pairwiseESPrimKey of the MAF ESPrim Framework', () => {
  it('HMAC-SHA-256(Kc, reserved label), as openssl computes it; never Kc itself', () => {
    const kc = randomBytes(32);
    const key = deriveMafPairwiseESPrimKey(kc);
    expect(hex(key)).toBe(opensslHmacSha256(kc, utf8(LABEL_MAF_PAIRWISE_ESPRIM_KEY)));
    expect(hex(key)).not.toBe(hex(kc));
    expect(LABEL_MAF_PAIRWISE_ESPRIM_KEY).toBe('oneM2M MAF Connection Key to pairwiseESPrimKey derivation');
  });

  it('a fixed Kc gives a fixed key (known answer, computed with openssl mac)', () => {
    const kc = fromHex('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f');
    // echo -n '<label>' | openssl mac -digest SHA256 -macopt hexkey:0001..1f HMAC
    const known = '4e4bff13506f2b3bcdb3ed89b9e5ebc0ca9f951853ab4a90526b8fe15bede881';
    expect(hex(deriveMafPairwiseESPrimKey(kc))).toBe(known);
    expect(opensslHmacSha256(kc, utf8(LABEL_MAF_PAIRWISE_ESPRIM_KEY))).toBe(known);
  });

  it('refuses a Kc that is not 32 bytes', () => {
    expect(() => deriveMafPairwiseESPrimKey(Buffer.alloc(16))).toThrow(/Kc must be 32 bytes/);
  });
});
