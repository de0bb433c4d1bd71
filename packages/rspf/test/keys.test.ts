// Clause 10.3 derivations of the target keys, recomputed by openssl (HMAC-SHA256 over the label and
// identity bytes built here independently), and the derivation chosen per SUID.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { boundedByKe, checkGrant, defaultDerivation, deriveTargetKey, RspfError } from '../src/index.js';

function opensslHmac(keyHex: string, data: Buffer): string {
  const r = spawnSync('openssl', ['mac', '-digest', 'SHA256', '-macopt', `hexkey:${keyHex}`, 'HMAC'], { input: data });
  if (r.status !== 0) throw new Error(r.stderr.toString());
  return r.stdout.toString().trim().toLowerCase();
}

describe('target keys (TS-0003 10.3.2, 10.3.3, 10.3.7)', () => {
  const ke = randomBytes(32);
  it('Km = HMAC-SHA-256(Ke, label || MAF-ID)', () => {
    const k = deriveTargetKey(ke, { targetId: 'maf.m2msec.org', suid: 21, derivation: 'Km' });
    const data = Buffer.from('oneM2M Enrolment Key to Master Credential derivationmaf.m2msec.org', 'utf8');
    expect(k.toString('hex')).toBe(opensslHmac(ke.toString('hex'), data));
  });
  it('Kpsa = HMAC-SHA-256(Ke, label || Enrolee-B-ID)', () => {
    const k = deriveTargetKey(ke, { targetId: '/id-in', suid: 22, derivation: 'Kpsa' });
    const data = Buffer.from('oneM2M Enrolment Key to Provisioned Secure Connection Key derivation/id-in', 'utf8');
    expect(k.toString('hex')).toBe(opensslHmac(ke.toString('hex'), data));
  });
  it('usage-constrained = HMAC-SHA-256(Ke, label || SUID digits || target FQDN)', () => {
    const k = deriveTargetKey(ke, {
      targetId: '/id-in',
      suid: 23,
      derivation: 'usage-constrained',
      targetFqdn: 'id-in.m2msec.org',
    });
    const data = Buffer.from(
      'oneM2M Enrolment Key to Usage-Constrained Symmetric Key derivation23id-in.m2msec.org',
      'utf8',
    );
    expect(k.toString('hex')).toBe(opensslHmac(ke.toString('hex'), data));
  });
  it('identities are NFKC-normalised before hashing', () => {
    const a = deriveTargetKey(ke, { targetId: '/ｉｄ-in', suid: 22, derivation: 'Kpsa' });
    const b = deriveTargetKey(ke, { targetId: '/id-in', suid: 22, derivation: 'Kpsa' });
    expect(a.equals(b)).toBe(true);
  });
  it('derivation per SUID: 21 Km, 22 Kpsa, others usage-constrained', () => {
    expect(defaultDerivation(21)).toBe('Km');
    expect(defaultDerivation(22)).toBe('Kpsa');
    expect(defaultDerivation(23)).toBe('usage-constrained');
    expect(() => defaultDerivation(99)).toThrow(/m2m:suid/);
  });
  it('refuses bad grants with precise messages', () => {
    expect(() => checkGrant({ targetId: '', suid: 22, derivation: 'Kpsa' })).toThrow(RspfError);
    expect(() => checkGrant({ targetId: '/id-in', suid: 7, derivation: 'Kpsa' })).toThrow(/m2m:suid/);
    expect(() => checkGrant({ targetId: '/id-in', suid: 23, derivation: 'usage-constrained' })).toThrow(/FQDN/);
    expect(() => checkGrant({ targetId: '/id-in', suid: 22, derivation: 'Kc' as never })).toThrow(/derivation/);
  });
  it('no derived key outlives Ke (10.7)', () => {
    expect(boundedByKe(1000, 5000)).toBe(1000);
    expect(boundedByKe(1000, 500)).toBe(500);
    expect(boundedByKe(1000)).toBe(1000);
  });
});
