// Issue 12 items 7 and 9 against the running IN-CSE process: malformed, control-byte and oversized bodies on
// every path get a JSON answer (never express's HTML stack page) and leave no trace of the body in the
// process output; and the small input bugs (deep JSON, ty out of range, virtual resource names, integers
// beyond 2^53) are 4000s with a message.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type InCseProcess, m2m, startInCse } from './harness.js';

let cse: InCseProcess;

beforeAll(async () => {
  // express logs error stacks (with the body) unless NODE_ENV is 'test', which vitest sets: run as deployed.
  cse = await startInCse({ store: 'sqlite', env: { NODE_ENV: 'development' } });
}, 30_000);

afterAll(async () => {
  await cse?.stop();
});

// A body an attacker would use for log injection: an ANSI escape, a forged log line, a NUL, a marker to grep.
const MARKER = 'EVILMARKER';
const controlBody = `{"a\u001b[31m${MARKER}\n{"level":"fatal","msg":"forged"}\u0000":`;

const paths = [
  '/.well-known/m2msec/dk-revocation',
  '/.well-known/m2msec/rspf-key',
  '/.well-known/m2msec/maf-key',
  '/.well-known/m2msec/no-such-path',
  '/cse-in',
];

async function post(path: string, body: string | Uint8Array, contentType = 'application/json') {
  const r = await fetch(cse.url + path, {
    method: 'POST',
    headers: { 'content-type': contentType, 'X-M2M-Origin': 'CAdmin', 'X-M2M-RI': 'rq-h', 'X-M2M-RVI': '3' },
    body,
  });
  return {
    status: r.status,
    type: r.headers.get('content-type') ?? '',
    rsc: r.headers.get('x-m2m-rsc'),
    text: await r.text(),
  };
}

function expectSafeAnswer(a: { status: number; type: string; text: string }): void {
  expect(a.status).toBeGreaterThanOrEqual(400);
  expect(a.status).toBeLessThan(500);
  expect(a.type).toMatch(/^application\/json/);
  expect(a.text).not.toMatch(/<html|<pre|<!DOCTYPE/i);
  expect(a.text).not.toMatch(/\bat \S+ \(|node_modules|body-parser|\/dist\//);
  expect(a.text).not.toContain(MARKER);
  const body = JSON.parse(a.text);
  expect(typeof (body['m2m:dbg'] ?? body.error)).toBe('string');
}

describe('item 7: error answers and logs', () => {
  it.each(paths)('malformed JSON with control bytes to %s: JSON answer, no stack, no body echoed', async (path) => {
    const a = await post(path, controlBody);
    expectSafeAnswer(a);
  });

  it.each(paths)('an oversized body to %s: a JSON 4xx answer', async (path) => {
    const a = await post(path, `{"x":"${'A'.repeat(2 * 1024 * 1024)}"}`);
    expectSafeAnswer(a);
  });

  it('the process output holds neither the raw bodies nor an unescaped control character', async () => {
    for (const path of paths) await post(path, controlBody);
    await new Promise((r) => setTimeout(r, 200)); // let stderr drain
    const out = cse.output();
    expect(out).not.toContain(MARKER);
    expect(out).not.toContain('forged');
    // No ESC, NUL or other C0 control except the newlines that end log lines.
    // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for control characters
    expect(out).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f]/);
    expect(out).not.toMatch(/SyntaxError|at JSON\.parse|node_modules/);
  });
});

describe('item 9: small input bugs are 4000', () => {
  it('JSON nested 5,000 deep is 4000 (was 5000)', async () => {
    const deep = `{"m2m:cnt":{"rn":"deep","lbl":${'['.repeat(5000)}${']'.repeat(5000)}}}`;
    const r = await m2m(cse.url, 'POST', '/cse-in', { from: 'CAdmin', ty: 3, rawBody: deep });
    expect(r.rsc).toBe(4000);
    expect(r.body['m2m:dbg']).toMatch(/deeper than 64 levels/);
  });

  it.each(['1e400', '-1', '3.0', '99999999999999999999'])('ty=%s in Content-Type is 4000', async (ty) => {
    const r = await fetch(`${cse.url}/cse-in`, {
      method: 'POST',
      headers: {
        'content-type': `application/json;ty=${ty}`,
        'X-M2M-Origin': 'CAdmin',
        'X-M2M-RI': 'rq-ty',
        'X-M2M-RVI': '3',
      },
      body: '{"m2m:cnt":{"rn":"t"}}',
    });
    expect(r.headers.get('x-m2m-rsc')).toBe('4000');
  });

  it('the virtual resource names of TS-0004 Table 6.8-1 are refused under their parents', async () => {
    expect(
      (await m2m(cse.url, 'POST', '/cse-in', { from: 'CAdmin', ty: 3, body: { 'm2m:cnt': { rn: 'vp' } } })).rsc,
    ).toBe(2001);
    for (const rn of ['la', 'ol']) {
      const r = await m2m(cse.url, 'POST', '/cse-in/vp', { from: 'CAdmin', ty: 3, body: { 'm2m:cnt': { rn } } });
      expect(r.rsc).toBe(4000);
      expect(r.body['m2m:dbg']).toMatch(/reserved/);
      const ci = await m2m(cse.url, 'POST', '/cse-in/vp', {
        from: 'CAdmin',
        ty: 4,
        body: { 'm2m:cin': { rn, con: 'x' } },
      });
      expect(ci.rsc).toBe(4000);
    }
    expect(
      (
        await m2m(cse.url, 'POST', '/cse-in', {
          from: 'CAdmin',
          ty: 9,
          body: { 'm2m:grp': { rn: 'g', mnm: 5, mid: [] } },
        })
      ).rsc,
    ).toBe(2001);
    for (const rn of ['fopt', 'sfop']) {
      const r = await m2m(cse.url, 'POST', '/cse-in/g', {
        from: 'CAdmin',
        ty: 23,
        body: { 'm2m:sub': { rn, nu: ['CAdmin'], su: 'CAdmin' } },
      });
      expect(r.rsc).toBe(4000);
    }
    // The name stays usable where no virtual child of that name exists.
    expect(
      (await m2m(cse.url, 'POST', '/cse-in', { from: 'CAdmin', ty: 3, body: { 'm2m:cnt': { rn: 'la' } } })).rsc,
    ).toBe(2001);
  });

  it.each([
    ['mni', '9007199254740993'],
    ['mbs', '1152921504606846976'],
    ['mia', '1e300'],
  ])('%s = %s (beyond 2^53 - 1) is 4000', async (attr, value) => {
    const r = await m2m(cse.url, 'POST', '/cse-in', {
      from: 'CAdmin',
      ty: 3,
      rawBody: `{"m2m:cnt":{"rn":"big-${attr}","${attr}":${value}}}`,
    });
    expect(r.rsc).toBe(4000);
    expect(r.body['m2m:dbg']).toMatch(new RegExp(`'${attr}'`));
  });

  it('mni = 2^53 - 1 is still accepted', async () => {
    const r = await m2m(cse.url, 'POST', '/cse-in', {
      from: 'CAdmin',
      ty: 3,
      rawBody: '{"m2m:cnt":{"rn":"max-mni","mni":9007199254740991}}',
    });
    expect(r.rsc).toBe(2001);
  });
});
