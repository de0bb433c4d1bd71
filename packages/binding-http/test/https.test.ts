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
