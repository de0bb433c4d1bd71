// The shared HTTP edge (src/edge): routes of transport-free handlers served over Node HTTP; every answer
// the edge writes itself is JSON with a code, never a stack or the body.
import { createServer, type Server } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { M2MError, ResponseStatusCode } from '@m2msec/protocol';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { httpEdge } from '../src/index.js';

const logged: string[] = [];
const routes = [
  {
    method: 'GET',
    path: '/things/:id',
    handle: async (r: { params: Record<string, string>; query: URLSearchParams; transport: { binding: string } }) => ({
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: r.params.id, q: r.query.get('q'), binding: r.transport.binding }),
    }),
  },
  {
    method: 'POST',
    path: '/echo',
    maxBodyBytes: 8,
    handle: async (r: { body: Uint8Array; headers: Record<string, string> }) => ({
      status: 201,
      body: Buffer.from(r.body),
      headers: { 'content-type': r.headers['content-type'] ?? 'none' },
    }),
  },
  {
    method: 'GET',
    path: '/unreachable',
    handle: async () => {
      throw new M2MError(ResponseStatusCode.TARGET_NOT_REACHABLE, 'the target is not reachable');
    },
  },
  {
    method: 'GET',
    path: '/bug',
    handle: async () => {
      throw new Error('secret-ish detail at /some/path');
    },
  },
  { method: 'GET', path: '/files/*', handle: async (r: { path: string }) => ({ status: 200, body: r.path }) },
];

let plain: Server;
let mounted: Server;
const base = (s: Server) => `http://127.0.0.1:${(s.address() as AddressInfo).port}`;

beforeAll(async () => {
  const log = vi.fn((m: string, f: Record<string, unknown>) => logged.push(JSON.stringify({ m, ...f })));
  plain = createServer(httpEdge(routes, { errorShape: 'onem2m', log }));
  const app = express();
  app.use('/api', httpEdge(routes, { log }));
  app.use((_req, res) => res.status(404).json({ from: 'express' }));
  mounted = createServer(app);
  await Promise.all([plain, mounted].map((s) => new Promise<void>((r) => s.listen(0, '127.0.0.1', r))));
});
afterAll(async () => {
  await Promise.all([plain, mounted].map((s) => new Promise<void>((r) => s.close(() => r()))));
});

describe('http edge', () => {
  it('matches routes, decodes :params and passes the query and the transport context', async () => {
    const res = await fetch(`${base(plain)}/things/a%2Fb?q=1`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ id: 'a/b', q: '1', binding: 'http' });
  });

  it('reads the body and the content type; a body over the limit is 413 JSON with a code', async () => {
    const ok = await fetch(`${base(plain)}/echo`, { method: 'POST', body: 'abc', headers: { 'content-type': 'x/y' } });
    expect(ok.status).toBe(201);
    expect(ok.headers.get('content-type')).toBe('x/y');
    expect(await ok.text()).toBe('abc');
    const big = await fetch(`${base(plain)}/echo`, { method: 'POST', body: 'abcdefghij' });
    expect(big.status).toBe(413);
    expect(big.headers.get('content-type')).toBe('application/json');
    expect(await big.json()).toMatchObject({ code: 'BODY_TOO_LARGE' });
  });

  it('a client that writes a whole oversized body still reads the 413 (the rest is read and dropped first)', async () => {
    // Closing with unread bytes in the receive buffer makes the kernel reset the connection: the client then
    // sees ECONNRESET / EPIPE instead of the answer. Several rounds, since that reset races the answer.
    const port = (plain.address() as AddressInfo).port;
    const body = Buffer.alloc(4 * 1024 * 1024, 0x41);
    for (let round = 0; round < 5; round++) {
      const answer = await new Promise<string>((resolve) => {
        const socket = connect(port, '127.0.0.1');
        let text = '';
        socket.on('data', (d) => {
          text += d.toString('latin1');
        });
        socket.on('error', (e) => resolve(`error ${(e as NodeJS.ErrnoException).code} after: ${text.slice(0, 40)}`));
        socket.on('close', () => resolve(text));
        socket.write(`POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: ${body.length}\r\n\r\n`);
        socket.write(body);
      });
      expect(answer.slice(0, 40)).toMatch(/^HTTP\/1\.1 413 /);
      expect(answer).toContain('BODY_TOO_LARGE');
    }
  });

  it('maps a thrown error rsc through the TS-0009 table (5103 -> 404) and keeps its code', async () => {
    const res = await fetch(`${base(plain)}/unreachable`, { headers: { 'x-m2m-ri': 'r1' } });
    expect(res.status).toBe(404);
    expect(res.headers.get('x-m2m-rsc')).toBe('5103');
    expect(res.headers.get('x-m2m-ri')).toBe('r1');
    expect(await res.json()).toEqual({ 'm2m:dbg': 'the target is not reachable', code: 'TARGET_NOT_REACHABLE' });
  });

  it('answers an unexpected error with 500 JSON, no detail to the client, one escaped log line', async () => {
    const res = await fetch(`${base(plain)}/bug`);
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(JSON.parse(text)).toMatchObject({ code: 'INTERNAL' });
    expect(text).not.toContain('secret-ish');
    expect(logged.some((l) => l.includes('unexpected error'))).toBe(true);
  });

  it('answers an unknown path or method with a JSON 404, never HTML', async () => {
    for (const [method, path] of [
      ['GET', '/nothing'],
      ['DELETE', '/things/1'],
    ] as const) {
      const res = await fetch(`${base(plain)}${path}`, { method });
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({ code: 'NOT_FOUND' });
    }
  });

  it('matches a rest pattern', async () => {
    expect(await (await fetch(`${base(plain)}/files/a/b`)).text()).toBe('/files/a/b');
    expect((await fetch(`${base(plain)}/files`)).status).toBe(200);
  });

  it('inside express: serves under the mount path and hands unmatched requests on', async () => {
    const res = await fetch(`${base(mounted)}/api/things/7`);
    expect(await res.json()).toMatchObject({ id: '7' });
    const other = await fetch(`${base(mounted)}/api/none`);
    expect(await other.json()).toEqual({ from: 'express' });
    const big = await fetch(`${base(mounted)}/api/echo`, { method: 'POST', body: 'x'.repeat(100) });
    expect(await big.json()).toMatchObject({
      code: 'BODY_TOO_LARGE',
      error: expect.stringMatching(/too large \(more than 8 bytes\)/),
    });
  });
});
