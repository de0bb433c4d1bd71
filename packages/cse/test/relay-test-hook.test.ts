// The relay test hook (a compromised relay for end-to-end tests): it changes exactly one character, in
// the part of a JOSE compact value an integrity check covers, and only for the originators it names.
import type { RequestPrimitive, RequestSender } from '@m2msec/protocol';
import { describe, expect, it } from 'vitest';
import { alterContent, alterOneCharacter, tamperingRelaySender } from '../src/index.js';

const diff = (a: string, b: string) => [...a].filter((c, i) => c !== b[i]).length;

describe('relay test hook', () => {
  it('alters one character, inside the ciphertext of a compact JWE and the payload of a compact JWS', () => {
    // A header longer than the ciphertext, as ESPrim's first object (with its oro) has.
    const jwe = 'eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIiwib3JvIjp7fX0..aXZpdml2.Y2lwaGVy.dGFndGFn';
    const out = alterOneCharacter(jwe);
    expect(out.length).toBe(jwe.length);
    expect(diff(out, jwe)).toBe(1);
    expect(out.split('.').map((p, i) => p === jwe.split('.')[i])).toEqual([true, true, true, false, true]);
    const jws = 'eyJhbGciOiJFUzI1NiJ9.cGF5bG9hZA.c2lnbmF0dXJlc2lnbmF0dXJlc2lnbmF0dXJl';
    expect(
      alterOneCharacter(jws)
        .split('.')
        .map((p, i) => p === jws.split('.')[i]),
    ).toEqual([true, false, true]);
    expect(diff(alterOneCharacter('plain text'), 'plain text')).toBe(1);
  });

  it('alters the longest string anywhere in the Content, leaving the rest and the original request as they were', () => {
    const req: RequestPrimitive = {
      op: 5,
      to: '/id-in/cse-in',
      fr: '/id-mn/Cae1',
      rqi: 'r1',
      pc: { 'm2m:seci': { sit: 5, epo: 'x'.repeat(40), other: ['short'] } },
    };
    const out = alterContent(req);
    const seci = (out.pc as any)['m2m:seci'];
    expect(diff(seci.epo, 'x'.repeat(40))).toBe(1);
    expect(seci.other).toEqual(['short']);
    expect((req.pc as any)['m2m:seci'].epo).toBe('x'.repeat(40));
  });

  it('only requests of the named originators are altered', async () => {
    const sent: RequestPrimitive[] = [];
    const inner: RequestSender = {
      schemes: ['http'],
      send: async (_poa, r) => {
        sent.push(r);
        return { rsc: 2000, rqi: r.rqi };
      },
    };
    const s = tamperingRelaySender(inner, { originators: ['/id-mn/Cevil'] });
    const body = { 'm2m:cin': { con: 'reading-21.5' } };
    await s.send('http://x', { op: 1, to: '/id-in/cse-in', fr: '/id-mn/Cgood', rqi: 'a', pc: body });
    await s.send('http://x', { op: 1, to: '/id-in/cse-in', fr: '/id-mn/Cevil', rqi: 'b', pc: body });
    expect((sent[0]!.pc as any)['m2m:cin'].con).toBe('reading-21.5');
    expect(diff((sent[1]!.pc as any)['m2m:cin'].con, 'reading-21.5')).toBe(1);
  });
});
