import { ResponseStatusCode } from '@m2msec/protocol';
import { describe, expect, it } from 'vitest';
import {
  boundIdsOf,
  CredentialIdType,
  formatCredentialId,
  InMemoryCredentialBindings,
  parseCredentialId,
} from '../src/index.js';
import { rejects, rejectsAsync } from './helpers.js';

const BAD = ResponseStatusCode.BAD_REQUEST;
const ctx = { spId: 'm2msec.org', cseId: '/id-in' };

describe('Credential-ID (TS-0003 10.4, Table 12.3.2.1-1)', () => {
  it("TS-0003 Table 12.2-1 example '10-thiskey@mymef.com' parses to type 10 and its value", () => {
    expect(parseCredentialId('10-thiskey@mymef.com')).toEqual({
      type: CredentialIdType.MEF_KEY,
      value: 'thiskey@mymef.com',
      id: '10-thiskey@mymef.com',
    });
  });

  it('TS-0003 10.5: a KpsaID Credential-ID keeps its issuer-relative part, the FQDN is lowercased', () => {
    expect(parseCredentialId('12-Dev_42.key@MEF.Example.COM').id).toBe('12-Dev_42.key@mef.example.com');
  });

  it('TS-0003 10.6: a KmID is case-insensitive in its MAF-relative part', () => {
    expect(parseCredentialId('11-KM-1@MAF.org').id).toBe('11-km-1@maf.org');
  });

  it("TS-0003 Table 12.3.2.1-1: undefined types are 4000 (the interop example's '00-' included)", () => {
    expect(rejects(() => parseCredentialId('00-test@onem2m.com'), BAD)).toMatch(/credIDTypeID/);
    expect(rejects(() => parseCredentialId('17-x'), BAD)).toMatch(/not defined/);
    rejects(() => parseCredentialId('99-x'), BAD);
    rejects(() => parseCredentialId('012-x'), BAD);
  });

  it('TS-0003 10.4: type and value parts are required', () => {
    for (const bad of ['', '12', '12-', '-abc', 'abc', 'x12-abc']) rejects(() => parseCredentialId(bad), BAD);
  });

  it("TS-0003 10.4: key identifier values use letters, digits, '.', '_', '-', '@' only", () => {
    for (const bad of ['12-a b@x.org', '12-a/b', '12-ä@x.org', '12-a\n']) rejects(() => parseCredentialId(bad), BAD);
  });

  it('TS-0003 Table 12.3.2.1-1: CSE-ID / AE-ID certificate types carry a CSE-ID / AE-ID', () => {
    expect(parseCredentialId('32-/id-mn1').value).toBe('/id-mn1');
    expect(parseCredentialId('33-//m2msec.org/id-in/Cabc').value).toBe('//m2msec.org/id-in/Cabc');
    expect(parseCredentialId('54-/Sdev').type).toBe(54);
    rejects(() => parseCredentialId('32-/id-in/Cabc'), BAD);
    rejects(() => parseCredentialId('33-/id-in'), BAD);
    rejects(() => parseCredentialId('33-Cabc'), BAD);
  });

  it('TS-0003 10.1.2 / Table 12.2-1: raw public key identifiers are RFC 6920 URIs', () => {
    const ni = '30-ni:///sha-256;UyaQV-Ev4rdLoHyJJWCi11OHfrYv9E1aGQAlMO2X_-Q';
    expect(parseCredentialId(ni).id).toBe(ni);
    rejects(() => parseCredentialId('30-ni:///sha 256'), BAD);
  });

  it('formatCredentialId builds and normalises', () => {
    expect(formatCredentialId(CredentialIdType.SAEF_KEY, 'test@OneM2M.com')).toBe('12-test@onem2m.com');
  });
});

describe('CredentialBindings (TS-0003 8.2.1)', () => {
  it('TS-0003 8.2.1: a credential resolves to one CSE-ID, normalised to SP-relative', async () => {
    const b = new InMemoryCredentialBindings(ctx);
    await b.set('12-mn1@mef.m2msec.org', { kind: 'cse', cseId: '//m2msec.org/id-mn1' });
    const got = await b.get('12-mn1@MEF.m2msec.org');
    expect(got).toEqual({ kind: 'cse', cseId: '/id-mn1' });
    expect(boundIdsOf(got!)).toEqual(['/id-mn1']);
  });

  it('TS-0003 8.2.1: a Node or device credential resolves to a list of allowed AE-IDs and App-IDs', async () => {
    const b = new InMemoryCredentialBindings(ctx);
    await b.set('34-node-7', {
      kind: 'ae',
      aeIds: ['//m2msec.org/id-in/Cabc', '/Sdev', '//other.org/id-x/Cq', '/Sdev'],
      appIds: ['Nmeter'],
    });
    expect(await b.get('34-node-7')).toEqual({
      kind: 'ae',
      aeIds: ['/id-in/Cabc', '/Sdev', '//other.org/id-x/Cq'],
      appIds: ['Nmeter'],
    });
  });

  it('bindings are stored as frozen copies: later changes to the input do not leak in', async () => {
    const b = new InMemoryCredentialBindings(ctx);
    const aeIds = ['/Sdev'];
    await b.set('12-k@x.org', { kind: 'ae', aeIds });
    aeIds.push('/Sevil');
    const got = await b.get('12-k@x.org');
    expect(got).toEqual({ kind: 'ae', aeIds: ['/Sdev'] });
    expect(Object.isFrozen(got)).toBe(true);
    if (got?.kind !== 'ae') throw new Error('expected the AE binding');
    // The type already says readonly; the cast checks the runtime freeze behind it.
    expect(() => (got.aeIds as string[]).push('/Sx')).toThrow(TypeError);
  });

  it('a malformed binding is 4000 and leaves the previous binding in place', async () => {
    const b = new InMemoryCredentialBindings(ctx);
    await b.set('12-k@x.org', { kind: 'ae', aeIds: ['/Sdev'] });
    await rejectsAsync(() => b.set('12-k@x.org', { kind: 'ae', aeIds: ['/Sdev', '/id-mn1'] }), BAD);
    await rejectsAsync(() => b.set('12-k@x.org', { kind: 'ae', aeIds: ['/id-in/C'] }), BAD);
    await rejectsAsync(() => b.set('12-k@x.org', { kind: 'cse', cseId: '/Sdev' }), BAD);
    await rejectsAsync(() => b.set('12-k@x.org', { kind: 'ae', aeIds: ['/Sdev'], appIds: [''] }), BAD);
    await rejectsAsync(() => b.set('bogus', { kind: 'ae', aeIds: ['/Sdev'] }), BAD);
    expect(await b.get('12-k@x.org')).toEqual({ kind: 'ae', aeIds: ['/Sdev'] });
  });

  it('TS-0003 8.2.1: the registrar adds the AE-IDs it assigned for a credential', async () => {
    const b = new InMemoryCredentialBindings(ctx);
    await b.addAeId('12-k@x.org', 'Cnew1');
    await b.addAeId('12-k@x.org', '/id-in/Cnew1');
    await b.addAeId('12-k@x.org', 'Snew2');
    expect(await b.get('12-k@x.org')).toEqual({ kind: 'ae', aeIds: ['/id-in/Cnew1', '/Snew2'] });
    await b.set('12-c@x.org', { kind: 'cse', cseId: '/id-mn1' });
    await rejectsAsync(() => b.addAeId('12-c@x.org', 'Cx1'), BAD);
    expect(await b.get('12-c@x.org')).toEqual({ kind: 'cse', cseId: '/id-mn1' });
  });

  it('delete removes a binding; unknown credentials resolve to undefined', async () => {
    const b = new InMemoryCredentialBindings(ctx);
    await b.set('12-k@x.org', { kind: 'cse', cseId: '/id-mn1' });
    expect(await b.delete('12-K@x.org')).toBe(false); // the KpsaID relative part is case-sensitive
    expect(await b.delete('12-k@X.ORG')).toBe(true);
    expect(await b.delete('12-k@x.org')).toBe(false);
    expect(await b.get('12-k@x.org')).toBeUndefined();
  });
});
