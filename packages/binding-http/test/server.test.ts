// Mounting in a parent express app, persistent connections, the TransportContext, listen/close.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TransportContext } from '@m2msec/protocol';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpBinding } from '../src/index.js';
import { type Fixture, m2m, send, startFixture } from './helpers.js';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0)) await f();
});

async function started(fx: Promise<Fixture>): Promise<Fixture> {
  const f = await fx;
  cleanup.push(() => f.close());
  return f;
}

describe('mounted under a prefix by a gateway', () => {
  it('routes /prefix/... to the binding with the prefix stripped, Content-Location keeps it', async () => {
    const seen: string[] = [];
    const binding = createHttpBinding({
      cseId: '/id-mn',
      cseBaseName: 'cse-mn',
      spId: 'm2msec.example',
      handler: async (req) => {
        seen.push(req.to);
        return { rsc: 2001, rqi: req.rqi, pc: { 'm2m:ae': {} }, location: `${req.to}/ae9` };
      },
    });
    const app = express();
    app.get('/health', (_req, res) => {
      res.json({ ok: true });
    });
    app.use('/onem2m', binding.router);
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    cleanup.push(() => new Promise<void>((r) => server.close(() => r())));
    const { port } = server.address() as AddressInfo;

    const created = await send(
      port,
      m2m('/onem2m/~/id-mn/cse-mn', {
        method: 'POST',
        body: '{"m2m:ae":{}}',
        headers: [['Content-Type', 'application/json;ty=2']],
      }),
    );
    expect(created.status).toBe(201);
    expect(created.headers['content-location']).toBe('/onem2m/cse-mn/ae9');
    expect((await send(port, m2m('/onem2m/cse-mn/ae9?rcn=1'))).status).toBe(201);
    expect(seen).toEqual(['/id-mn/cse-mn', 'cse-mn/ae9']);
    // The parent's own routes still work; the binding does not see them.
    expect((await send(port, { path: '/health' })).json).toEqual({ ok: true });
    expect(seen).toHaveLength(2);
  });
});

describe('persistent connections', () => {
  it('serves several requests over one kept-alive connection', async () => {
    const fx = await started(startFixture());
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    cleanup.push(() => agent.destroy());
    for (let i = 0; i < 5; i++) {
      const res = await send(fx.port, m2m('/cse-in', { agent }, `r${i}`));
      expect(res.status).toBe(200);
      expect(res.headers.connection).toBe('keep-alive');
    }
    const ports = new Set(fx.calls.map((c) => c.transport.peerPort));
    expect(fx.calls).toHaveLength(5);
    expect(ports.size).toBe(1);
  });

  it('close() ends idle kept-alive connections and resolves', async () => {
    const fx = await startFixture();
    const agent = new http.Agent({ keepAlive: true });
    await send(fx.port, m2m('/cse-in', { agent }));
    await fx.binding.close({ graceMs: 2_000 });
    expect(fx.binding.server).toBeUndefined();
    await expect(send(fx.port, m2m('/cse-in'))).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    agent.destroy();
  });
});

describe('TransportContext', () => {
  it('binding http, peer address and port from the socket, no tls', async () => {
    const fx = await started(startFixture());
    await send(fx.port, m2m('/cse-in'));
    const t = fx.calls[0]!.transport;
    expect(t).toEqual({ binding: 'http', peerAddress: '127.0.0.1', peerPort: expect.any(Number) });
    expect(t.tls).toBeUndefined();
  });

  it('normalises an IPv4-mapped IPv6 peer on a dual-stack listener', async () => {
    const fx = await started(startFixture({}, '::'));
    await send(fx.port, m2m('/cse-in'));
    expect(fx.calls[0]!.transport.peerAddress).toBe('127.0.0.1');
  });

  it('ignores X-Forwarded-For from a peer that is not a trusted proxy', async () => {
    const fx = await started(startFixture({ trustedProxies: ['10.0.0.0/8'] }));
    await send(fx.port, m2m('/cse-in', { headers: [['X-Forwarded-For', '203.0.113.7']] }));
    expect(fx.calls[0]!.transport).toMatchObject({ peerAddress: '127.0.0.1', peerPort: expect.any(Number) });
  });

  it('believes X-Forwarded-For from a trusted proxy, up to the first untrusted hop', async () => {
    const fx = await started(startFixture({ trustedProxies: ['127.0.0.1/32', '192.168.0.0/16'] }));
    await send(fx.port, m2m('/cse-in', { headers: [['X-Forwarded-For', '198.51.100.1, 203.0.113.7, 192.168.1.5']] }));
    expect(fx.calls[0]!.transport).toEqual({ binding: 'http', peerAddress: '203.0.113.7' });
  });

  it('a malformed address from a trusted proxy -> 4000, handler not called', async () => {
    const fx = await started(startFixture({ trustedProxies: ['127.0.0.1'] }));
    const res = await send(fx.port, m2m('/cse-in', { headers: [['X-Forwarded-For', 'not-an-ip']] }));
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ 'm2m:dbg': 'X-Forwarded-For from a trusted proxy holds a malformed address' });
    expect(fx.calls).toHaveLength(0);
  });

  it('a custom builder (the TLS seam) replaces the context', async () => {
    const fx = await started(
      startFixture({
        transportContext: (req): TransportContext => ({
          binding: 'http',
          peerAddress: req.socket.remoteAddress,
          tls: { pskIdentity: 'kpsa-id@example' },
        }),
      }),
    );
    await send(fx.port, m2m('/cse-in'));
    expect(fx.calls[0]!.transport.tls).toEqual({ pskIdentity: 'kpsa-id@example' });
  });

  it('rejects a malformed trustedProxies entry at construction', () => {
    expect(() =>
      createHttpBinding({
        cseId: '/id-in',
        cseBaseName: 'cse-in',
        spId: 'sp',
        handler: async (r) => ({ rsc: 2000, rqi: r.rqi }),
        trustedProxies: ['10.0.0.0/99'],
      }),
    ).toThrow(/^trustedProxies: /);
  });
});

describe('configuration', () => {
  it.each([
    [{ cseId: 'id-in' }, /cseId 'id-in' is not '\/<csi>'/],
    [{ spId: '//sp' }, /spId '\/\/sp' is malformed/],
    [{ maxBodyBytes: -1 }, /maxBodyBytes must be an integer >= 0/],
  ])('%o is refused', (bad, message) => {
    const base = { cseId: '/id-in', cseBaseName: 'cse-in', spId: 'sp', handler: async () => ({ rsc: 2000, rqi: '' }) };
    expect(() => createHttpBinding({ ...base, ...bad } as never)).toThrow(message);
  });

  it('listen twice is refused', async () => {
    const fx = await started(startFixture());
    await expect(fx.binding.listen({ port: 0 })).rejects.toThrow('already listening');
  });
});
