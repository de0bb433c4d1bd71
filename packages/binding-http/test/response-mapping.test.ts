// Response primitive -> HTTP response over real loopback HTTP (TS-0009 6.3, 6.4, 6.5).
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpStatusFor } from '../src/index.js';
import { type Fixture, m2m, send, startFixture } from './helpers.js';

let fx: Fixture;
beforeAll(async () => {
  fx = await startFixture();
});
afterAll(() => fx.close());

// The spec text beside the repository (DESIGN.md: ../shared/specs); its Table 6.3.2-1 is the reference.
const specPath = fileURLToPath(
  new URL('../../../../shared/specs/ts-0009-http_protocol_binding-v3_9_1_cl_.md', import.meta.url),
);

function specStatusTable(): [number, number][] {
  const text = readFileSync(specPath, 'utf8');
  const table = text.slice(text.indexOf('Table 6.3.2-1: Status Code Mapping'), text.indexOf('### 6.3.3'));
  const rows = [...table.matchAll(/^\| (\d{4}) \([^)]*\) \| (\d{3}) /gm)].map((m) => [Number(m[1]), Number(m[2])]);
  return rows as [number, number][];
}

describe('Status-Code (6.3.2) and X-M2M-RSC (6.4.17)', () => {
  // Rows that matter for security, written out from TS-0009 Table 6.3.2-1 so this runs without the spec file.
  it.each([
    [2000, 200],
    [2001, 201],
    [2002, 200],
    [2004, 200],
    [4000, 400],
    [4004, 404],
    [4005, 405],
    [4008, 504],
    [4015, 415],
    [4103, 403],
    [4105, 409],
    [4106, 403],
    [4107, 403],
    [4115, 403],
    [4116, 403],
    [4117, 403],
    [4126, 403],
    [5000, 500],
    [5103, 404],
    [5106, 409],
    [5210, 500],
  ])('rsc %i -> HTTP %i', async (rsc, status) => {
    fx.reply = (req) => ({ rsc: rsc as never, rqi: req.rqi });
    const res = await send(fx.port, m2m('/cse-in'));
    expect(res.status).toBe(status);
    expect(res.headers['x-m2m-rsc']).toBe(String(rsc));
  });

  it.skipIf(!existsSync(specPath))('every row of the spec table, over HTTP', async () => {
    const rows = specStatusTable();
    expect(rows.length).toBeGreaterThanOrEqual(80);
    for (const [rsc, status] of rows) {
      fx.reply = (req) => ({ rsc: rsc as never, rqi: req.rqi });
      const res = await send(fx.port, m2m('/cse-in'));
      expect([rsc, res.status]).toEqual([rsc, status]);
    }
  });

  it('a code outside the table is never a success: HTTP 500 (httpStatusFor)', async () => {
    fx.reply = (req) => ({ rsc: 2999 as never, rqi: req.rqi });
    const res = await send(fx.port, m2m('/cse-in'));
    expect(res.status).toBe(httpStatusFor(2999));
    expect(res.status).toBe(500);
  });

  it('omits the Reason-Phrase (6.3.3)', async () => {
    fx.reply = (req) => ({ rsc: 2000, rqi: req.rqi });
    expect((await send(fx.port, m2m('/cse-in'))).statusMessage).toBe('');
  });
});

describe('headers and body', () => {
  it('maps every response parameter to its header and pc to a JSON body', async () => {
    fx.reply = () => ({
      rsc: 2000,
      rqi: 'ignored-the-request-id-is-echoed',
      rvi: '3',
      fr: '/id-in',
      ot: '20260101T000000',
      rset: '20260102T000000',
      ati: ['lti1:tk1', 'lti2:tk2'],
      cnst: 1,
      cnot: 11,
      pc: { 'm2m:cb': { rn: 'cse-in', ri: 'id-in', csi: '/id-in' } },
    });
    const res = await send(fx.port, m2m('/cse-in', {}, 'echo-me'));
    expect(res.status).toBe(200);
    expect(res.headers).toMatchObject({
      'x-m2m-rsc': '2000',
      'x-m2m-ri': 'echo-me',
      'x-m2m-rvi': '3',
      'x-m2m-origin': '/id-in',
      'x-m2m-ot': '20260101T000000',
      'x-m2m-rst': '20260102T000000',
      'x-m2m-ati': 'lti1:tk1+lti2:tk2',
      'x-m2m-cts': '1', // 6.4.20 Content Status
      'x-m2m-cto': '11', // 6.4.21 Content Offset
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(res.text)),
    });
    expect(res.json).toEqual({ 'm2m:cb': { rn: 'cse-in', ri: 'id-in', csi: '/id-in' } });
    expect(res.headers['content-location']).toBeUndefined();
  });

  it('no pc: no body and no Content-Type; dbg on a success is not sent', async () => {
    fx.reply = (req) => ({ rsc: 2002, rqi: req.rqi, dbg: 'internal note' });
    const res = await send(fx.port, m2m('/cse-in/ae1', { method: 'DELETE' }));
    expect(res.status).toBe(200);
    expect(res.text).toBe('');
    expect(res.headers['content-type']).toBeUndefined();
    expect(res.headers['content-length']).toBe('0');
  });

  it('an error with pc sends pc, not dbg (6.5: token request information carries no debug text)', async () => {
    const tqi = { 'm2m:tqi': { dasi: [] } };
    fx.reply = (req) => ({ rsc: 4103, rqi: req.rqi, pc: tqi, dbg: 'access denied' });
    const res = await send(fx.port, m2m('/cse-in'));
    expect(res.status).toBe(403);
    expect(res.json).toEqual(tqi);
  });

  it('no ETag and no conditional 304 handling is added by the framework', async () => {
    fx.reply = (req) => ({ rsc: 2000, rqi: req.rqi, pc: { 'm2m:cb': {} } });
    const res = await send(fx.port, m2m('/cse-in', { headers: [['If-None-Match', '*']] }));
    expect(res.status).toBe(200);
    expect(res.headers.etag).toBeUndefined();
    expect(res.headers['x-powered-by']).toBeUndefined();
  });
});

describe('Content-Location (6.4.4)', () => {
  it.each([
    ['cse-in/ae1/cnt1', '/cse-in/ae1/cnt1'],
    ['/id-in/cse-in/ae1', '/cse-in/ae1'], // own SP-relative form shortened
    ['//m2msec.example/id-in/cse-in/ae1', '/cse-in/ae1'], // own absolute form shortened
    ['/id-mn/cse-mn/ae2', '/~/id-mn/cse-mn/ae2'],
    ['//other.example/id-x/cse-x', '/_/other.example/id-x/cse-x'],
    ['cse-in/a b', '/cse-in/a%20b'],
  ])('location %s -> %s', async (location, header) => {
    fx.reply = (req) => ({ rsc: 2001, rqi: req.rqi, pc: { 'm2m:cnt': { rn: 'cnt1' } }, location });
    const res = await send(
      fx.port,
      m2m('/cse-in/ae1', {
        method: 'POST',
        body: '{"m2m:cnt":{}}',
        headers: [['Content-Type', 'application/json;ty=3']],
      }),
    );
    expect(res.status).toBe(201);
    expect(res.headers['content-location']).toBe(header);
  });
});
