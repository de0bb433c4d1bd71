// A notification target or forwarding peer answers as untrusted input: a body nested 5,000 deep is refused
// (5000: the outcome of the request is unknown) before anything recursive walks it (issue 12 item 9).
import { describe, expect, it } from 'vitest';
import { decodeHttpResponse } from '../src/sender/decode-response.js';

describe('hostile HTTP responses', () => {
  it('a body nested 5,000 deep is a 5000 naming the limit', () => {
    const body = new TextEncoder().encode(`{"m2m:cnt":{"lbl":${'['.repeat(5000)}${']'.repeat(5000)}}}`);
    let caught: unknown;
    try {
      decodeHttpResponse(
        { headers: { 'x-m2m-rsc': ['2000'], 'x-m2m-ri': ['r1'], 'content-type': ['application/json'] }, body },
        'r1',
      );
    } catch (e) {
      caught = e;
    }
    expect((caught as { rsc?: number })?.rsc).toBe(5000);
    expect((caught as Error).message).toMatch(/deeper than 64 levels/);
  });
});
