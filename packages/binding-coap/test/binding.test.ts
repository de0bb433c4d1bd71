// The binding against libcoap's coap-client over DTLS-PSK: request mapping, response codes and the
// oneM2M-RSC option, the DTLS identity in the transport context, block-wise both ways, deduplication.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HandlerResponse, RequestPrimitive, TransportContext } from '@m2msec/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CoapBinding, createCoapBinding } from '../src/index.js';
import { coapClient, oneM2mArgs } from './coap-client.js';

const KPSA = Buffer.from('kpsa-secret-0123456789');
let binding: CoapBinding;
let port: number;
const calls: { req: RequestPrimitive; transport: TransportContext }[] = [];
let reply: (req: RequestPrimitive) => HandlerResponse = (req) => ({
  rsc: 2000,
  rqi: req.rqi,
  pc: { 'm2m:cb': { rn: 'cse-in' } },
});
const dir = mkdtempSync(join(tmpdir(), 'm2msec-coap-'));

beforeAll(async () => {
  binding = createCoapBinding({
    host: '127.0.0.1',
    port: 0,
    psk: (id) => (id.toString() === 'kpsa-1@in.example' ? KPSA : undefined),
    handler: async (req, transport) => {
      calls.push({ req, transport });
      return reply(req);
    },
    // libcoap's client drops responses with the (critical) TS-0008 options it does not know.
    responseOptions: 'coap-only',
  });
  port = (await binding.listen()).port;
});
afterAll(() => binding.close());

const psk = ['-u', 'kpsa-1@in.example', '-k', KPSA.toString()];

describe('CoAP binding over DTLS-PSK with coap-client-openssl', () => {
  it('maps a GET to RETRIEVE with To, From, RQI, RVI and query parameters, and carries the PSK identity', async () => {
    calls.length = 0;
    const r = await coapClient([
      ...psk,
      ...oneM2mArgs({ fr: 'CAE1', rqi: 'r-1', rvi: '3' }),
      `coaps://127.0.0.1:${port}/cse-in/ae1?rcn=1`,
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout.toString())).toEqual({ 'm2m:cb': { rn: 'cse-in' } });
    const { req, transport } = calls[0]!;
    expect(req).toMatchObject({ op: 2, to: 'cse-in/ae1', fr: 'CAE1', rqi: 'r-1', rvi: '3', rcn: 1 });
    expect(transport.binding).toBe('coap');
    expect(transport.tls?.pskIdentity).toBe('kpsa-1@in.example');
    expect(transport.peerAddress).toBe('127.0.0.1');
  });

  it('maps a POST with oneM2M-TY to CREATE, an SP-relative path through "~"', async () => {
    calls.length = 0;
    reply = (req) => ({ rsc: 2001, rqi: req.rqi, pc: { 'm2m:cnt': { rn: 'c1' } }, location: 'cse-in/ae1/c1' });
    const r = await coapClient([
      ...psk,
      '-m',
      'post',
      '-t',
      'json',
      '-e',
      '{"m2m:cnt":{"rn":"c1"}}',
      ...oneM2mArgs({ fr: 'CAE1', rqi: 'r-2', ty: 3 }),
      `coaps://127.0.0.1:${port}/~/id-in/cse-in/ae1`,
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(calls[0]!.req).toMatchObject({ op: 1, ty: 3, to: '/id-in/cse-in/ae1', pc: { 'm2m:cnt': { rn: 'c1' } } });
  });

  it('answers errors with the TS-0008 Table 6.2.4-1 code and the exact rsc in oneM2M-RSC', async () => {
    reply = (req) => ({ rsc: 4103, rqi: req.rqi, dbg: 'no privilege' });
    const r = await coapClient([
      ...psk,
      '-v',
      '6',
      ...oneM2mArgs({ fr: 'CAE1', rqi: 'r-3' }),
      `coaps://127.0.0.1:${port}/cse-in`,
    ]);
    expect(r.stdout.toString() + r.stderr).toMatch(/4\.03/);
    expect(r.stdout.toString() + r.stderr).toMatch(/no privilege/);
    reply = (req) => ({ rsc: 2000, rqi: req.rqi, pc: { 'm2m:cb': { rn: 'cse-in' } } });
  });

  it('refuses a request without oneM2M-RQI with 4.00 and never calls the handler', async () => {
    calls.length = 0;
    const r = await coapClient([...psk, '-v', '6', `coaps://127.0.0.1:${port}/cse-in`]);
    expect(r.stdout.toString() + r.stderr).toMatch(/4\.00/);
    expect(r.stdout.toString()).toMatch(/missing oneM2M-RQI/);
    expect(calls).toHaveLength(0);
  });

  it('refuses a wrong key and an unknown identity; the legitimate client still gets through', async () => {
    calls.length = 0;
    const wrong = await coapClient(
      ['-u', 'kpsa-1@in.example', '-k', 'not-the-key', ...oneM2mArgs({ rqi: 'x' }), `coaps://127.0.0.1:${port}/cse-in`],
      5000,
    );
    expect(wrong.stdout.toString()).not.toContain('m2m:cb');
    const unknown = await coapClient(
      ['-u', 'intruder', '-k', KPSA.toString(), ...oneM2mArgs({ rqi: 'x' }), `coaps://127.0.0.1:${port}/cse-in`],
      5000,
    );
    expect(unknown.stdout.toString()).not.toContain('m2m:cb');
    expect(calls).toHaveLength(0);
    const ok = await coapClient([
      ...psk,
      ...oneM2mArgs({ fr: 'CAE1', rqi: 'r-4' }),
      `coaps://127.0.0.1:${port}/cse-in`,
    ]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout.toString()).toContain('cse-in');
  });

  it('transfers a 64 KiB contentInstance block-wise in both directions (RFC 7959)', async () => {
    const con = 'x'.repeat(64 * 1024);
    const body = JSON.stringify({ 'm2m:cin': { con } });
    const file = join(dir, 'cin.json');
    writeFileSync(file, body);
    calls.length = 0;
    reply = (req) => ({ rsc: 2001, rqi: req.rqi, pc: req.pc });
    const up = await coapClient(
      [
        ...psk,
        '-m',
        'post',
        '-t',
        'json',
        '-b',
        '1024',
        '-f',
        file,
        '-o',
        join(dir, 'echo.json'),
        ...oneM2mArgs({ fr: 'CAE1', rqi: 'r-5', ty: 4 }),
        `coaps://127.0.0.1:${port}/cse-in/ae1/c1`,
      ],
      20_000,
    );
    expect(up.code, up.stderr).toBe(0);
    expect(calls).toHaveLength(1); // reassembled once, one CREATE
    expect((calls[0]!.req.pc as { 'm2m:cin': { con: string } })['m2m:cin'].con).toBe(con);
    expect(readFileSync(join(dir, 'echo.json'), 'utf8')).toBe(body); // and the response came back in blocks
    reply = (req) => ({ rsc: 2000, rqi: req.rqi, pc: { 'm2m:cin': { con } } });
    const down = await coapClient(
      [
        ...psk,
        '-o',
        join(dir, 'down.json'),
        ...oneM2mArgs({ fr: 'CAE1', rqi: 'r-6' }),
        `coaps://127.0.0.1:${port}/cse-in/ae1/c1/la`,
      ],
      20_000,
    );
    expect(down.code, down.stderr).toBe(0);
    expect(readFileSync(join(dir, 'down.json'), 'utf8')).toBe(body);
  });
});

describe('default response options (TS-0008 6.2.2.4, 6.2.4)', () => {
  it('carries oneM2M-RSC and oneM2M-RQI in responses (read from coap-client -v 7, which then drops them)', async () => {
    const strict = createCoapBinding({
      host: '127.0.0.1',
      port: 0,
      psk: (id) => (id.toString() === 'kpsa-1@in.example' ? KPSA : undefined),
      handler: async (req) => ({ rsc: 4103, rqi: req.rqi, dbg: 'no privilege' }),
    });
    const p = (await strict.listen()).port;
    const r = await coapClient(
      [...psk, '-v', '7', ...oneM2mArgs({ fr: 'CAE1', rqi: 'r-9' }), `coaps://127.0.0.1:${p}/cse-in`],
      4000,
    );
    await strict.close();
    const log = r.stdout.toString() + r.stderr;
    // 4103 = 0x1007 in oneM2M-RSC (307), the RQI echoed in oneM2M-RQI (283), code 4.03.
    expect(log).toMatch(/t:ACK c:4\.03 .*283:\\x72\\x2D\\x39, 307:\\x10\\x07/);
  });
});
