// Bad input at the binding: each case gets its exact status, a precise m2m:dbg, never a stack trace,
// and never reaches the CSE handler.
import { M2MError, ResponseStatusCode } from '@m2msec/protocol';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Fixture, m2m, type RawResponse, send, startFixture } from './helpers.js';

let fx: Fixture;
const logged: { level: string; message: string; rqi?: string; error?: unknown }[] = [];
beforeAll(async () => {
  fx = await startFixture({ maxBodyBytes: 1024, logger: (e) => logged.push(e) });
});
afterAll(() => fx.close());
beforeEach(() => {
  fx.calls.length = 0;
  logged.length = 0;
  fx.reply = (req) => ({ rsc: 2000, rqi: req.rqi });
});

function expectRejected(res: RawResponse, http: number, rsc: number, dbg: string | RegExp) {
  expect(res.status).toBe(http);
  expect(res.headers['x-m2m-rsc']).toBe(String(rsc));
  expect(res.headers['content-type']).toBe('application/json');
  expect(Object.keys(res.json)).toEqual(['m2m:dbg']);
  if (typeof dbg === 'string') expect(res.json['m2m:dbg']).toBe(dbg);
  else expect(res.json['m2m:dbg']).toMatch(dbg);
  expect(res.text).not.toMatch(/\bat .+:\d+:\d+|node_modules|\.ts\b/);
  expect(fx.calls).toHaveLength(0);
}

const json = (body: string, ct = 'application/json;ty=3') => ({
  method: 'POST',
  body,
  headers: [['Content-Type', ct]] as [string, string][],
});

describe('headers', () => {
  it('missing X-M2M-RI -> 4000', async () => {
    const res = await send(fx.port, { path: '/cse-in', headers: [['X-M2M-Origin', 'CAdmin']] });
    expectRejected(res, 400, 4000, 'missing X-M2M-RI header');
    expect(res.headers['x-m2m-ri']).toBeUndefined();
  });

  it('X-M2M-RI twice -> 4000', async () => {
    const res = await send(fx.port, m2m('/cse-in', { headers: [['X-M2M-RI', 'again']] }));
    expectRejected(res, 400, 4000, 'header X-M2M-RI given more than once');
  });

  it('X-M2M-RTU without rt -> 4000', async () => {
    const res = await send(fx.port, m2m('/cse-in', { headers: [['X-M2M-RTU', 'http://x/n']] }));
    expectRejected(res, 400, 4000, 'header X-M2M-RTU needs the rt query parameter (responseType)');
    expect(res.headers['x-m2m-ri']).toBe('rqi-1');
  });

  it('Authorization with a Bearer scheme or a non-compact token -> 4000 without echoing it', async () => {
    const secret = 'c2VjcmV0LXRva2VuLXZhbHVl';
    let res = await send(fx.port, m2m('/cse-in', { headers: [['Authorization', `Bearer ${secret}`]] }));
    expectRejected(
      res,
      400,
      4000,
      "Authorization scheme 'Bearer' is not supported: expected oneM2M tokens joined by '+'",
    );
    res = await send(fx.port, m2m('/cse-in', { headers: [['Authorization', `a.b.c+${secret}`]] }));
    expectRejected(res, 400, 4000, 'Authorization header token 2 is not a JWS or JWE compact serialisation');
    expect(res.text).not.toContain(secret);
  });

  it('X-M2M-EC that is not an integer, an empty X-M2M-AS signature -> 4000', async () => {
    let res = await send(fx.port, m2m('/cse-in', { headers: [['X-M2M-EC', 'high']] }));
    expectRejected(res, 400, 4000, 'header X-M2M-EC "high" is not an integer');
    res = await send(fx.port, m2m('/cse-in', { headers: [['X-M2M-AS', 'c2ln++c2ln']] }));
    expectRejected(res, 400, 4000, 'header X-M2M-AS has an empty signature');
  });
});

describe('method and target', () => {
  it.each(['PATCH', 'OPTIONS'])('%s -> 4005 OPERATION_NOT_ALLOWED (HTTP 405)', async (method) => {
    const res = await send(fx.port, m2m('/cse-in', { method }));
    expectRejected(res, 405, 4005, `HTTP method "${method}" maps to no oneM2M operation (POST, GET, PUT, DELETE)`);
  });

  it.each([
    ['/', 'request target "/" addresses no resource'],
    ['/~/', 'request target "/~/" addresses no resource'],
    ['/cse-in/%E0%A4%A', 'request target "/cse-in/%E0%A4%A" has malformed percent-encoding'],
    ['/cse-in/a%2Fb', `request target "/cse-in/a%2Fb" has an encoded '/' inside a segment`],
  ])('%s -> 4000', async (path, dbg) => {
    expectRejected(await send(fx.port, m2m(path)), 400, 4000, dbg);
  });
});

describe('query parameters', () => {
  it.each([
    ['rcn=abc', `query parameter 'rcn' "abc" is not an integer`],
    ['rcn=1.5', `query parameter 'rcn' "1.5" is not an integer`],
    ['ty=2+x', `query parameter 'ty' "x" is not an integer`],
    ['lim=99999999999999999999', `query parameter 'lim' "99999999999999999999" is not an integer`],
    ['tqi=yes', `query parameter 'tqi' "yes" is not a boolean (true, false, 1 or 0)`],
    ['rcn=1&rcn=2', `query parameter 'rcn' given more than once`],
    ['rcn=', `query parameter 'rcn' has an empty value`],
    ['lbl=a++b', `query parameter 'lbl' has an empty list element`],
    ['lbl=%ZZ', `query parameter 'lbl' has malformed percent-encoding`],
    [
      'foo=1',
      'unknown query parameter "foo" (neither a parameter of TS-0009 Table 6.2.2.2-1 nor a resource attribute short name)',
    ],
    ['cr', `attribute condition 'cr' has no value`],
    [
      'c.nosuch=1',
      'unknown query parameter "c.nosuch" (neither a parameter of TS-0009 Table 6.2.2.2-1 nor a resource attribute short name)',
    ],
  ])('%s -> 4000', async (query, dbg) => {
    expectRejected(await send(fx.port, m2m(`/cse-in?${query}`)), 400, 4000, dbg);
  });

  it.each([
    ['smf=x', `query parameter 'smf' (semanticsFilter) is not supported by this CSE`],
    ['atrl=ri+lbl', `query parameter 'atrl' (attributeList (partial retrieve)) is not supported by this CSE`],
    ['cfq=x', `query parameter 'cfq' (contentFilterQuery) is not supported by this CSE`],
    ['cfs=1', `query parameter 'cfs' (contentFilterSyntax) is not supported by this CSE`],
  ])('%s -> 5001 NOT_IMPLEMENTED (HTTP 501)', async (query, dbg) => {
    expectRejected(await send(fx.port, m2m(`/cse-in?${query}`)), 501, 5001, dbg);
  });
});

describe('body', () => {
  it('malformed JSON -> 4000 naming the parse error', async () => {
    const res = await send(fx.port, m2m('/cse-in', json('{"m2m:cnt":')));
    expectRejected(res, 400, 4000, /^body is not valid JSON: .+/);
  });

  it('JSON that is not an object, or not UTF-8 -> 4000', async () => {
    expectRejected(await send(fx.port, m2m('/cse-in', json('[1,2]'))), 400, 4000, 'body is not a JSON object');
    const latin1 = Buffer.from([0x7b, 0x22, 0xe9, 0x22, 0x3a, 0x31, 0x7d]); // {"é":1} in Latin-1
    expectRejected(
      await send(fx.port, m2m('/cse-in', { ...json(''), body: latin1 })),
      400,
      4000,
      'body is not valid UTF-8',
    );
  });

  it('Content-Type ty that is not an integer -> 4000', async () => {
    const res = await send(fx.port, m2m('/cse-in', json('{}', 'application/json;ty=cnt')));
    expectRejected(res, 400, 4000, 'Content-Type parameter ty "cnt" is not an integer');
  });

  it('unsupported media type, charset or a body without Content-Type -> 4015 (HTTP 415)', async () => {
    let res = await send(fx.port, m2m('/cse-in', json('<m2m:cnt/>', 'application/xml;ty=3')));
    expectRejected(res, 415, 4015, /^Content-Type "application\/xml" is not supported/);
    res = await send(fx.port, m2m('/cse-in', json('{}', 'application/vnd.onem2m-res+cbor; ty=3')));
    expectRejected(res, 415, 4015, /^Content-Type "application\/vnd.onem2m-res\+cbor" is not supported/);
    res = await send(fx.port, m2m('/cse-in', json('{}', 'application/json; charset=iso-8859-1')));
    expectRejected(res, 415, 4015, 'charset "iso-8859-1" is not supported (use utf-8)');
    res = await send(fx.port, m2m('/cse-in', { method: 'POST', body: '{}' }));
    expectRejected(res, 415, 4015, 'a request with a body needs a Content-Type header');
    res = await send(
      fx.port,
      m2m('/cse-in', {
        ...json('{}'),
        headers: [
          ['Content-Type', 'application/json;ty=3'],
          ['Content-Encoding', 'gzip'],
        ],
      }),
    );
    expectRejected(res, 415, 4015, 'Content-Encoding is not supported');
  });

  it('a body over maxBodyBytes -> 4000, by Content-Length and when chunked; the process keeps serving', async () => {
    const big = `{"m2m:cnt":{"lbl":["${'x'.repeat(2000)}"]}}`;
    let res = await send(fx.port, m2m('/cse-in', json(big)));
    expectRejected(res, 400, 4000, 'request body exceeds the limit of 1024 bytes');
    expect(res.headers.connection).toBe('close');
    // Chunked: no Content-Length, the limit trips while reading.
    res = await send(
      fx.port,
      m2m('/cse-in', {
        ...json(big),
        headers: [
          ['Content-Type', 'application/json;ty=3'],
          ['Transfer-Encoding', 'chunked'],
        ],
      }),
    );
    expectRejected(res, 400, 4000, 'request body exceeds the limit of 1024 bytes');
    // A body exactly at the limit passes.
    const exact = `{"a":"${'y'.repeat(1024 - 8)}"}`;
    expect(Buffer.byteLength(exact)).toBe(1024);
    res = await send(fx.port, m2m('/cse-in', json(exact)));
    expect(res.status).toBe(200);
  });
});

describe('handler failures', () => {
  it('a thrown M2MError becomes its own status and message', async () => {
    fx.reply = new M2MError(ResponseStatusCode.ORIGINATOR_HAS_NO_PRIVILEGE, 'no privilege for RETRIEVE on cse-in');
    const res = await send(fx.port, m2m('/cse-in'));
    expect(res.status).toBe(403);
    expect(res.headers['x-m2m-rsc']).toBe('4103');
    expect(res.json).toEqual({ 'm2m:dbg': 'no privilege for RETRIEVE on cse-in' });
    expect(logged).toHaveLength(0);
  });

  it('any other exception -> 5000 with a generic message, logged, no stack trace', async () => {
    const err = new Error('db password=hunter2 at /srv/cse/store.ts:42:7');
    fx.reply = err;
    const res = await send(fx.port, m2m('/cse-in'));
    expect(res.status).toBe(500);
    expect(res.headers['x-m2m-rsc']).toBe('5000');
    expect(res.headers['x-m2m-ri']).toBe('rqi-1');
    expect(res.json).toEqual({ 'm2m:dbg': 'internal server error' });
    expect(res.text).not.toContain('hunter2');
    expect(logged).toEqual([
      { level: 'error', message: 'request failed with an unexpected error', rqi: 'rqi-1', error: err },
    ]);
  });

  it('a response primitive that cannot be written (CR/LF in a header, BigInt content) -> 5000', async () => {
    fx.reply = (req) => ({ rsc: 2000, rqi: req.rqi, fr: 'evil\r\nSet-Cookie: x=1' });
    let res = await send(fx.port, m2m('/cse-in'));
    expect(res.status).toBe(500);
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(res.json).toEqual({ 'm2m:dbg': 'internal server error' });
    fx.reply = (req) => ({ rsc: 2000, rqi: req.rqi, pc: { n: 1n } });
    res = await send(fx.port, m2m('/cse-in'));
    expect(res.status).toBe(500);
    expect(res.headers['x-m2m-rsc']).toBe('5000');
    expect(logged.map((e) => e.message)).toEqual([
      'response primitive could not be encoded as HTTP',
      'response primitive could not be encoded as HTTP',
    ]);
  });

  it('a body consumed by a parser mounted before the binding -> 5000, logged', async () => {
    const express = (await import('express')).default;
    const { createHttpBinding } = await import('../src/index.js');
    const seen: unknown[] = [];
    const b = createHttpBinding({
      cseId: '/id-in',
      cseBaseName: 'cse-in',
      spId: 'sp',
      handler: async (req) => ({ rsc: 2000, rqi: req.rqi }),
      logger: (e) => seen.push(e.message),
    });
    const app = express();
    app.use(express.json());
    app.use(b.router);
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const port = (server.address() as { port: number }).port;
    const res = await send(port, m2m('/cse-in', json('{"m2m:cnt":{}}')));
    server.close();
    expect(res.status).toBe(500);
    expect(seen).toEqual(['request failed with an unexpected error']);
  });
});
