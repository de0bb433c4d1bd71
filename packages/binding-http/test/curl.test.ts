// curl as an independent HTTP client. (Async execFile, not spawnSync: the binding runs in this
// process and a blocked event loop could not answer.)
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Operation } from '@m2msec/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Fixture, startFixture } from './helpers.js';

const run = promisify(execFile);
let fx: Fixture;
beforeAll(async () => {
  fx = await startFixture();
});
afterAll(() => fx.close());

/** Runs curl, returns status, lower-cased headers and body. */
async function curl(args: string[]) {
  const { stdout } = await run('curl', ['-sS', '--http1.1', '-D', '-', ...args]);
  const [head = '', ...rest] = stdout.split('\r\n\r\n');
  const [statusLine = '', ...lines] = head.split('\r\n');
  const headers = Object.fromEntries(
    lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]),
  );
  return { statusLine, headers, body: rest.join('\r\n\r\n') };
}

describe('curl client', () => {
  it('CREATE <AE> (TS-0009 A.1 style) with SP-relative target', async () => {
    fx.reply = (req) => ({
      rsc: 2001,
      rqi: req.rqi,
      rvi: '3',
      pc: { 'm2m:ae': { rn: 'ae1', aei: 'Cae1' } },
      location: '/id-in/cse-in/ae1',
    });
    const r = await curl([
      '-X',
      'POST',
      '-H',
      'X-M2M-Origin: Cae1',
      '-H',
      'X-M2M-RI: curl-1',
      '-H',
      'X-M2M-RVI: 3',
      '-H',
      'Content-Type: application/json;ty=2',
      '--data-binary',
      '{"m2m:ae":{"rn":"ae1","api":"Nweather","rr":true,"srv":["3"]}}',
      `http://127.0.0.1:${fx.port}/~/id-in/cse-in?rcn=1`,
    ]);
    expect(r.statusLine).toBe('HTTP/1.1 201 ');
    expect(r.headers).toMatchObject({
      'x-m2m-rsc': '2001',
      'x-m2m-ri': 'curl-1',
      'x-m2m-rvi': '3',
      'content-location': '/cse-in/ae1',
      'content-type': 'application/json',
    });
    expect(JSON.parse(r.body)).toEqual({ 'm2m:ae': { rn: 'ae1', aei: 'Cae1' } });
    expect(fx.calls.at(-1)!.req).toEqual({
      op: Operation.CREATE,
      to: '/id-in/cse-in',
      fr: 'Cae1',
      rqi: 'curl-1',
      rvi: '3',
      ty: 2,
      rcn: 1,
      pc: { 'm2m:ae': { rn: 'ae1', api: 'Nweather', rr: true, srv: ['3'] } },
    });
  });

  it('discovery query and a malformed body, as curl sends them', async () => {
    fx.reply = (req) => ({ rsc: 2000, rqi: req.rqi, pc: { 'm2m:uril': [] } });
    const ok = await curl([
      '-H',
      'X-M2M-Origin: CAdmin',
      '-H',
      'X-M2M-RI: curl-2',
      `http://127.0.0.1:${fx.port}/cse-in?fu=1&ty=3+4&lbl=tag%3A1&lim=10`,
    ]);
    expect(ok.statusLine).toBe('HTTP/1.1 200 ');
    expect(fx.calls.at(-1)!.req.fc).toEqual({ fu: 1, ty: [3, 4], lbl: ['tag:1'], lim: 10 });

    const bad = await curl([
      '-X',
      'PUT',
      '-H',
      'X-M2M-Origin: CAdmin',
      '-H',
      'X-M2M-RI: curl-3',
      '-H',
      'Content-Type: application/json',
      '--data-binary',
      '{"m2m:cnt":{"mni":}',
      `http://127.0.0.1:${fx.port}/cse-in/cnt1`,
    ]);
    expect(bad.statusLine).toBe('HTTP/1.1 400 ');
    expect(bad.headers['x-m2m-rsc']).toBe('4000');
    expect(JSON.parse(bad.body)['m2m:dbg']).toMatch(/^body is not valid JSON: /);
  });
});
