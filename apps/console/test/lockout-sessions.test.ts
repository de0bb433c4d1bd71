// Lock-out per account and per address; session time-outs and the CSRF comparison.
import { describe, expect, it } from 'vitest';
import { Lockout } from '../src/lockout.js';
import { cookieHeader, MAX_ANONYMOUS, Sessions } from '../src/sessions.js';

describe('lock-out', () => {
  it('locks an account after N failures in the window, from any address, until the window passes', () => {
    let now = 0;
    const l = new Lockout({ accountFailures: 3, addressFailures: 100, windowSeconds: 60 }, () => now);
    for (let i = 0; i < 3; i++) l.fail('ops', `10.0.0.${i}`);
    expect(l.locked('ops', '10.9.9.9')).toBe('account');
    expect(l.locked('other', '10.9.9.9')).toBeUndefined();
    now = 61_000;
    expect(l.locked('ops', '10.9.9.9')).toBeUndefined();
  });
  it('locks an address that tries many accounts (password spraying)', () => {
    const l = new Lockout({ accountFailures: 100, addressFailures: 4, windowSeconds: 60 });
    for (const a of ['a', 'b', 'c', 'd']) l.fail(a, '127.0.0.9');
    expect(l.locked('e', '127.0.0.9')).toBe('address');
    expect(l.locked('e', '127.0.0.8')).toBeUndefined();
  });
  it('a success clears the account count only', () => {
    const l = new Lockout({ accountFailures: 2, addressFailures: 3, windowSeconds: 60 });
    l.fail('ops', 'x');
    l.succeed('ops');
    l.fail('ops', 'x');
    expect(l.locked('ops', 'y')).toBeUndefined();
    l.fail('z', 'x');
    expect(l.locked('q', 'x')).toBe('address');
  });
});

describe('sessions', () => {
  it('expire when idle and at the absolute limit', () => {
    let now = 0;
    const s = new Sessions({ idleSeconds: 10, absoluteSeconds: 25 }, () => now);
    const a = s.create('ops');
    now = 9_000;
    expect(s.get(a.id)).toBeDefined();
    now = 18_000;
    expect(s.get(a.id)).toBeDefined();
    now = 26_000;
    expect(s.get(a.id)).toBeUndefined();
    const b = s.create('ops');
    now += 11_000;
    expect(s.get(b.id)).toBeUndefined();
  });
  it('ids and CSRF tokens are 256-bit random; the token comparison is exact', () => {
    const s = new Sessions({ idleSeconds: 10, absoluteSeconds: 25 });
    const a = s.create('ops');
    expect(Buffer.from(a.id, 'base64url')).toHaveLength(32);
    expect(Sessions.csrfMatches(a, a.csrf)).toBe(true);
    expect(Sessions.csrfMatches(a, `${a.csrf}x`)).toBe(false);
    expect(Sessions.csrfMatches(a, undefined)).toBe(false);
    expect(Sessions.csrfMatches(a, s.create('ops').csrf)).toBe(false);
  });
  it('pre-sign-in sessions are bounded (oldest dropped) and expired ones swept; signed-in ones stay', () => {
    let now = 0;
    const s = new Sessions({ idleSeconds: 10, absoluteSeconds: 100 }, () => now);
    const ops = s.create('ops');
    const first = s.create('');
    for (let i = 0; i < MAX_ANONYMOUS + 5; i++) s.create('');
    expect(s.size).toBe(MAX_ANONYMOUS + 1);
    expect(s.get(first.id)).toBeUndefined();
    expect(s.get(ops.id)?.account).toBe('ops');
    now = 11_000;
    s.create('');
    expect(s.size).toBe(1);
  });
  it('the cookie is HttpOnly, SameSite=Strict, Secure under TLS', () => {
    expect(cookieHeader('x', false)).toBe('m2msec_console=x; Path=/; HttpOnly; SameSite=Strict');
    expect(cookieHeader('x', true)).toContain('; Secure');
  });
});
