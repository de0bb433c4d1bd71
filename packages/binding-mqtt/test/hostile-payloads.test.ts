// Issue 12 item 9 over MQTT: a request payload nested thousands of levels deep is a 4000 before anything
// recursive walks it; a ty that is no integer (1e400 parses to Infinity) is a 4000, not a NOTIFY; the
// error text echoes none of the payload.
import { describe, expect, it } from 'vitest';
import { decodeRequestPayload, RequestDecodeError } from '../src/index.js';

const enc = (s: string) => new TextEncoder().encode(s);

function decodeError(s: string): RequestDecodeError {
  try {
    decodeRequestPayload(enc(s));
  } catch (e) {
    expect(e).toBeInstanceOf(RequestDecodeError);
    return e as RequestDecodeError;
  }
  throw new Error('decoded');
}

describe('hostile request payloads', () => {
  it('JSON nested 5,000 deep is 4000 naming the limit', () => {
    const e = decodeError(
      `{"op":1,"to":"cse-in","rqi":"r1","ty":3,"pc":{"m2m:cnt":{"lbl":${'['.repeat(5000)}${']'.repeat(5000)}}}}`,
    );
    expect(e.rsc).toBe(4000);
    expect(e.message).toMatch(/deeper than 64 levels/);
  });

  it.each(['1e400', '-1e400', '3.5', '"3"'])('ty %s is 4000', (ty) => {
    const e = decodeError(`{"op":1,"to":"cse-in","rqi":"r1","ty":${ty},"pc":{}}`);
    expect(e.rsc).toBe(4000);
    expect(e.message).toMatch(/'ty'/);
  });

  it('a malformed payload with control bytes is 4000 without the payload in the message', () => {
    const e = decodeError('{"op":1,"EVILMARKER\u001b[31m":x');
    expect(e.rsc).toBe(4000);
    expect(e.message).not.toContain('EVILMARKER');
    // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for control characters
    expect(e.message).not.toMatch(/[\u0000-\u001f]/);
  });
});

describe('hostile response payloads (a peer is as untrusted as a client)', () => {
  it('a response nested 5,000 deep is 5000 naming the limit, not a stack overflow', async () => {
    const { decodeResponsePayload } = await import('../src/index.js');
    const deep = `{"rsc":2000,"rqi":"r1","pc":{"m2m:cnt":{"lbl":${'['.repeat(5000)}${']'.repeat(5000)}}}}`;
    expect(() => decodeResponsePayload(enc(deep))).toThrow(/deeper than 64 levels/);
  });
});
