// Issue 19 item 6: what the DSKPP HTTP binding refuses outside a DSKPP document (wrong method, media type,
// charset, size, a confirmation that is not JSON) is JSON with a stable code and an actionable message,
// never HTML, never a stack, never a quote of the body.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startServer } from './helpers.js';

let h: Harness;
beforeAll(async () => {
  h = await startServer({ mode: 'stateful' });
});
afterAll(() => h?.close());

const MARKER = 'EVILMARKER';

async function send(path: string, init: RequestInit) {
  const res = await fetch(`${h.url}${path}`, init);
  const text = await res.text();
  return { status: res.status, type: res.headers.get('content-type') ?? '', text, res };
}

function expectJsonRefusal(a: { status: number; type: string; text: string }, status: number, code: string): void {
  expect(a.status).toBe(status);
  expect(a.type).toMatch(/^application\/json/);
  expect(a.text).not.toMatch(/<html|<pre|\bat \S+ \(|node_modules/i);
  expect(a.text).not.toContain(MARKER);
  const body = JSON.parse(a.text);
  expect(body.code).toBe(code);
  expect(body.error).toMatch(/\w{4,}/);
}

describe('DSKPP HTTP refusals', () => {
  it('a wrong media type is 415 with the expected one named', async () => {
    const a = await send('', { method: 'POST', headers: { 'content-type': 'text/xml' }, body: `<x>${MARKER}</x>` });
    expectJsonRefusal(a, 415, 'UNSUPPORTED_MEDIA_TYPE');
    expect(JSON.parse(a.text).error).toContain('application/dskpp+xml');
  });

  it('a charset other than UTF-8 is 415', async () => {
    const a = await send('', {
      method: 'POST',
      headers: { 'content-type': 'application/dskpp+xml; charset=x-no-such' },
      body: `<x>${MARKER}</x>`,
    });
    expectJsonRefusal(a, 415, 'UNSUPPORTED_CHARSET');
  });

  it('a method other than POST is 405 with Allow: POST', async () => {
    const a = await send('', { method: 'PUT', headers: { 'content-type': 'application/dskpp+xml' }, body: '<x/>' });
    expectJsonRefusal(a, 405, 'METHOD_NOT_ALLOWED');
    expect(a.res.headers.get('allow')).toBe('POST');
  });

  it('an oversized body is 413', async () => {
    const a = await send('', {
      method: 'POST',
      headers: { 'content-type': 'application/dskpp+xml' },
      body: `<a>${MARKER}${'A'.repeat(200 * 1024)}</a>`,
    });
    expectJsonRefusal(a, 413, 'BODY_TOO_LARGE');
  });

  it('a confirmation that is not JSON is 400', async () => {
    const a = await send('/confirmation', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: `{"a":"${MARKER}`,
    });
    expectJsonRefusal(a, 400, 'BAD_REQUEST');
  });

  it('a document that is no DSKPP client message is 400 (RFC 6063 7.2.4); a refused client message is 200', async () => {
    const xml = { method: 'POST', headers: { 'content-type': 'application/dskpp+xml' } };
    expectJsonRefusal(
      await send('', {
        ...xml,
        body: `<x:KeyProvClientHello xmlns:x="urn:other" Version="1.0">${MARKER}</x:KeyProvClientHello>`,
      }),
      400,
      'BAD_REQUEST',
    );
    expectJsonRefusal(
      await send('', {
        ...xml,
        body: '<dskpp:KeyProvServerFinished xmlns:dskpp="urn:ietf:params:xml:ns:keyprov:dskpp" Version="1.0" Status="Abort"/>',
      }),
      400,
      'BAD_REQUEST',
    );
    // A DSKPP client message the server refuses: 200 and the status in the document (7.2.4 last paragraph).
    const refused = await send('', {
      ...xml,
      body: '<dskpp:KeyProvClientNonce xmlns:dskpp="urn:ietf:params:xml:ns:keyprov:dskpp" Version="1.0" SessionID="nope"><dskpp:EncryptedNonce>AAAAAAAAAAAAAAAAAAAAAA==</dskpp:EncryptedNonce><dskpp:AuthenticationData><dskpp:ClientID>c</dskpp:ClientID><dskpp:AuthenticationCodeMac><dskpp:Mac>AAAAAAAAAAAAAAAAAAAAAA==</dskpp:Mac></dskpp:AuthenticationCodeMac></dskpp:AuthenticationData></dskpp:KeyProvClientNonce>',
    });
    expect(refused.status).toBe(200);
    expect(refused.text).toMatch(/Status="(UnknownRequest|MalformedRequest)"/);
  });

  it('an unknown path under the mount is 404', async () => {
    const a = await send('/nothing', { method: 'POST', body: MARKER });
    expectJsonRefusal(a, 404, 'NOT_FOUND');
  });
});
