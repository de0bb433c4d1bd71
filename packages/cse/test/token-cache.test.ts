// The Local-Token-ID cache of the access decision (TS-0003 7.3.2.3 steps 7.1.5, 7.2).
import type { VerifiedToken } from '@m2msec/authorization';
import { describe, expect, it } from 'vitest';
import { TokenCache } from '../src/pipeline/authorization-services.js';

const token = (tkid: string, holder: string, notAfter: string): VerifiedToken =>
  ({ claims: { tkid }, holder, issuer: '/id-in/CDas', notAfter: new Date(notAfter), permissions: [] }) as never;
const now = new Date('2026-01-01T00:00:00Z');

describe('TokenCache', () => {
  it('assigns one Local-Token-ID per holder and token, and finds it for that holder only', () => {
    const c = new TokenCache();
    const a = c.add(token('t1@d.example', '/id-in/Ca', '2026-01-02T00:00:00Z'), false, now);
    expect(a.assigned).toBe(true);
    expect(a.lti).toMatch(/^lt[A-Za-z0-9_-]{16}$/);
    expect(c.add(token('t1@d.example', '/id-in/Ca', '2026-01-02T00:00:00Z'), false, now)).toEqual({
      lti: a.lti,
      assigned: false,
    });
    expect(c.get(a.lti, '/id-in/Ca', now)?.claims.tkid).toBe('t1@d.example');
    expect(c.get(a.lti, '/id-in/Cb', now)).toBeUndefined();
    expect(c.get('ltunknown', '/id-in/Ca', now)).toBeUndefined();
  });

  it('forgets expired tokens', () => {
    const c = new TokenCache();
    const { lti } = c.add(token('t2@d.example', '/id-in/Ca', '2026-01-01T00:00:10Z'), true, now);
    expect(c.dasTokensOf('/id-in/Ca', now)).toHaveLength(1);
    const later = new Date('2026-01-01T00:00:11Z');
    expect(c.dasTokensOf('/id-in/Ca', later)).toHaveLength(0);
    expect(c.get(lti, '/id-in/Ca', now)).toBeUndefined(); // dropped when found expired
  });

  it('associates only DAS-issued tokens with the holder, not tokens the originator presented', () => {
    const c = new TokenCache();
    c.add(token('t3@d.example', '/id-in/Ca', '2026-01-02T00:00:00Z'), false, now);
    c.add(token('t4@d.example', '/id-in/Ca', '2026-01-02T00:00:00Z'), true, now);
    c.add(token('t5@d.example', '/id-in/Cb', '2026-01-02T00:00:00Z'), true, now);
    expect(c.dasTokensOf('/id-in/Ca', now).map((t) => t.claims.tkid)).toEqual(['t4@d.example']);
  });
});
