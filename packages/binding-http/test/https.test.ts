// The sender over https, against the binding's app served by node:https with an openssl-made
// certificate: the seam a TLS listener uses (https.createServer(tlsOptions, binding.app)).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Operation } from '@m2msec/protocol';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createHttpBinding, HttpRequestSender } from '../src/index.js';

let dir: string;
let server: https.Server;
let port: number;
let ca: Buffer;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'binding-http-'));
  const r = spawnSync('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-days',
    '1',
    '-subj',
    '/CN=localhost',
    '-addext',
    'subjectAltName=IP:127.0.0.1',
    '-keyout',
    join(dir, 'key.pem'),
    '-out',
    join(dir, 'cert.pem'),
  ]);
  expect(r.status, r.stderr.toString()).toBe(0);
  ca = readFileSync(join(dir, 'cert.pem'));
  const binding = createHttpBinding({
    cseId: '/id-in',
    cseBaseName: 'cse-in',
    spId: 'sp',
    handler: async (req, transport) => ({ rsc: 2000, rqi: req.rqi, pc: { 'm2m:cb': { rn: transport.binding } } }),
  });
  server = https.createServer({ key: readFileSync(join(dir, 'key.pem')), cert: ca }, binding.app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  rmSync(dir, { recursive: true, force: true });
});

it('sends over https with a trusted CA, refuses an unverifiable server with 5103', async () => {
  const req = { op: Operation.RETRIEVE, to: 'cse-in', rqi: 'tls-1', fr: 'C1' } as const;
  const agent = new https.Agent({ keepAlive: true, ca });
  const trusting = new HttpRequestSender({ httpsAgent: agent });
  expect(await trusting.send(`https://127.0.0.1:${port}`, req)).toEqual({
    rsc: 2000,
    rqi: 'tls-1',
    pc: { 'm2m:cb': { rn: 'http' } },
  });

  agent.destroy();
  const strict = new HttpRequestSender(); // system CAs only
  const e = await strict.send(`https://127.0.0.1:${port}`, req).catch((err: unknown) => err);
  strict.close();
  expect(e).toMatchObject({
    rsc: 5103,
    message: `https://127.0.0.1:${port} is not reachable (DEPTH_ZERO_SELF_SIGNED_CERT)`,
  });
});

it('a pinned connectAddress: connects to that address, checks the certificate against the URL host name', async () => {
  // A target policy resolved 'notify.invalid' and checked 127.0.0.1; the sender must not resolve again
  // ('.invalid' never resolves, RFC 6761) and must still verify the server as notify.invalid (SNI, SAN).
  const named = mkdtempSync(join(tmpdir(), 'binding-http-pin-'));
  const r = spawnSync('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-days',
    '1',
    '-subj',
    '/CN=notify.invalid',
    '-addext',
    'subjectAltName=DNS:notify.invalid',
    '-keyout',
    join(named, 'key.pem'),
    '-out',
    join(named, 'cert.pem'),
  ]);
  expect(r.status, r.stderr.toString()).toBe(0);
  const cert = readFileSync(join(named, 'cert.pem'));
  let sni: string | undefined;
  const s = https.createServer({ key: readFileSync(join(named, 'key.pem')), cert }, (req, res) => {
    sni = (req.socket as import('node:tls').TLSSocket).servername || undefined;
    res.writeHead(200, { 'X-M2M-RSC': '2000', 'X-M2M-RI': String(req.headers['x-m2m-ri']) }).end();
  });
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const p = (s.address() as AddressInfo).port;
  const agent = new https.Agent({ keepAlive: false, ca: cert });
  const sender = new HttpRequestSender({ httpsAgent: agent });
  const ntfy = { op: Operation.NOTIFY, to: 'Cae1', rqi: 'pin-1', fr: '/id-in', pc: { 'm2m:sgn': { vrq: true } } };
  try {
    const ok = await sender.send(`https://notify.invalid:${p}/n`, ntfy, { connectAddress: '127.0.0.1' });
    expect(ok.rsc).toBe(2000);
    expect(sni).toBe('notify.invalid');
    // Pinned to the same address under another name: the certificate does not name it, refused.
    const e = await sender
      .send(`https://other.invalid:${p}/n`, { ...ntfy, rqi: 'pin-2' }, { connectAddress: '127.0.0.1' })
      .catch((err: unknown) => err);
    expect(e).toMatchObject({ rsc: 5103 });
    expect((e as Error).message).toMatch(/ERR_TLS_CERT_ALTNAME_INVALID/);
  } finally {
    agent.destroy();
    s.closeAllConnections();
    await new Promise((done) => s.close(done));
    rmSync(named, { recursive: true, force: true });
  }
});
