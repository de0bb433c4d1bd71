// Issue 12 "Credential lifecycle", against the IN-CSE process over its TLS-PSK listener with Node's
// TLS client holding keep-alive sessions: deregistering an AE (DELETE of its <AE>) removes its AE-ID
// from the credential's binding and closes the live sessions that could act as it, so the old
// credential can no longer act as that AE-ID, not even once a new AE holds it; revoking a Kpsa at the
// running CSE (DELETE /.well-known/m2msec/credentials/psk/<id>, only over an administrator's
// association) closes its live sessions and refuses its next handshake.
import { randomBytes } from 'node:crypto';
import { connect, type TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { credentialsCli, prepareSecureInCse, type SecureInCse } from './saef-setup.js';

vi.setConfig({ testTimeout: 60_000 });

const adminId = 'kpsa-admin@mef.m2msec.org';
const adminKey = randomBytes(32);
const oneId = 'kpsa-one@mef.m2msec.org';
const oneKey = randomBytes(32);
const twoId = 'kpsa-two@mef.m2msec.org';
const twoKey = randomBytes(32);
let s: SecureInCse;

beforeAll(async () => {
  const prepared = await prepareSecureInCse(
    // The administrator is a principal bound to its PSK credential (docs/administration.md).
    { administrators: [{ name: 'psk-admin', originator: 'CAdmin', credentialId: `12-${adminId}` }] },
    {
      registration: {
        appRules: [
          {
            name: 'kpsa-devices',
            applicableCredIDs: [`12-${oneId}`, `12-${twoId}`],
            allowedAppIDs: ['Nlife'],
            allowedAEs: ['C*'],
          },
        ],
      },
    },
  );
  const cli = (args: string[], input?: string) => credentialsCli(prepared.configPath, prepared.dataDir, args, input);
  cli(['add-psk', '--id', adminId, '--key-file', '-'], adminKey.toString('hex'));
  cli(['add-psk', '--id', oneId, '--key-file', '-'], oneKey.toString('hex'));
  cli(['add-psk', '--id', twoId, '--key-file', '-'], twoKey.toString('hex'));
  s = await prepared.start();
});

afterAll(async () => {
  await s?.cse.stop();
});

interface Session {
  socket: TLSSocket;
  closed: Promise<void>;
  request(method: string, path: string, from: string, o?: { ty?: number; body?: unknown }): Promise<Reply>;
}
interface Reply {
  status: number;
  rsc: number;
  body: any;
}

/** A keep-alive TLS 1.2 PSK session (Node's TLS client) on which raw HTTP/1.1 requests are sent one by one. */
async function session(identity: string, key: Buffer): Promise<Session> {
  const socket = connect({
    host: '127.0.0.1',
    port: s.pskPort,
    ciphers: 'PSK-AES128-GCM-SHA256',
    maxVersion: 'TLSv1.2',
    pskCallback: () => ({ psk: key, identity }),
    checkServerIdentity: () => undefined,
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('secureConnect', () => resolve());
    socket.once('error', reject);
  });
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  let buffer = Buffer.alloc(0);
  socket.on('data', (d: Buffer) => (buffer = Buffer.concat([buffer, d])));
  return {
    socket,
    closed,
    async request(method, path, from, o = {}) {
      buffer = Buffer.alloc(0);
      const body = o.body === undefined ? '' : JSON.stringify(o.body);
      socket.write(
        [
          `${method} ${path} HTTP/1.1`,
          'Host: id-in.m2msec.org',
          `X-M2M-Origin: ${from}`,
          `X-M2M-RI: lc-${Math.random().toString(36).slice(2)}`,
          'X-M2M-RVI: 3',
          'Accept: application/json',
          ...(body
            ? [
                `Content-Type: application/json${o.ty ? `;ty=${o.ty}` : ''}`,
                `Content-Length: ${Buffer.byteLength(body)}`,
              ]
            : []),
          '',
          body,
        ].join('\r\n'),
      );
      for (const end = Date.now() + 10_000; Date.now() < end; ) {
        const text = buffer.toString('latin1');
        const head = text.indexOf('\r\n\r\n');
        if (head >= 0) {
          const length = Number(/content-length: *(\d+)/i.exec(text.slice(0, head))?.[1] ?? 0);
          if (buffer.length >= head + 4 + length) {
            const raw = buffer.subarray(head + 4, head + 4 + length).toString();
            return {
              status: Number(text.slice(9, 12)),
              rsc: Number(/x-m2m-rsc: *(\d+)/i.exec(text.slice(0, head))?.[1] ?? 0),
              body: raw ? JSON.parse(raw) : undefined,
            };
          }
        }
        if (socket.destroyed || socket.readableEnded) return { status: 0, rsc: 0, body: undefined };
        await new Promise((r) => setTimeout(r, 10));
      }
      throw new Error('no response');
    },
  };
}

const within = <T>(p: Promise<T>, ms: number) =>
  Promise.race([p, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), ms))]);

describe('AE deregistration removes the credential binding', () => {
  it("DELETE of the <AE> closes its credential's live sessions; the credential can no longer act as that AE-ID, not even once another AE holds it", async () => {
    const a1 = await session(oneId, oneKey);
    const created = await a1.request('POST', '/cse-in', 'C', {
      ty: 2,
      body: { 'm2m:ae': { rn: 'lifecycle-ae', api: 'Nlife', rr: false, srv: ['3'] } },
    });
    expect(created.rsc, JSON.stringify(created.body)).toBe(2001);
    const aei: string = created.body['m2m:ae'].aei;
    // A second live session of the same credential acts as the AE through the binding.
    const a2 = await session(oneId, oneKey);
    expect((await a2.request('GET', '/cse-in/lifecycle-ae', aei)).rsc).toBe(2000);

    const deleted = await a1.request('DELETE', '/cse-in/lifecycle-ae', aei);
    expect(deleted.rsc, JSON.stringify(deleted.body)).toBe(2002);
    // Both sessions of the credential are closed (the deleting one after its 2002).
    expect(await within(a1.closed, 5000)).not.toBe('timeout');
    expect(await within(a2.closed, 5000)).not.toBe('timeout');

    // Another credential registers an AE with the freed AE-ID.
    const b = await session(twoId, twoKey);
    const again = await b.request('POST', '/cse-in', aei, {
      ty: 2,
      body: { 'm2m:ae': { rn: 'lifecycle-ae-2', api: 'Nlife', rr: false, srv: ['3'] } },
    });
    expect(again.rsc, JSON.stringify(again.body)).toBe(2001);
    expect(again.body['m2m:ae'].aei).toBe(aei);

    // The old credential, on a fresh session, cannot act as that AE-ID.
    const old = await session(oneId, oneKey);
    const hijack = await old.request('GET', '/cse-in/lifecycle-ae-2', aei);
    expect(hijack.rsc, JSON.stringify(hijack.body)).toBe(4106);
    const update = await old.request('PUT', '/cse-in/lifecycle-ae-2', aei, { body: { 'm2m:ae': { lbl: ['taken'] } } });
    expect(update.rsc).toBe(4106);
    // The new holder's credential can.
    expect((await b.request('GET', '/cse-in/lifecycle-ae-2', aei)).rsc).toBe(2000);
    old.socket.destroy();
    b.socket.destroy();
  });
});

describe('PSK credential revocation at the running CSE', () => {
  it("revoking a Kpsa closes its live session and refuses its next handshake; other credentials' sessions stay", async () => {
    const victim = await session(twoId, twoKey);
    expect((await victim.request('GET', '/cse-in', 'CAdmin')).status).toBeGreaterThan(0);
    const admin = await session(adminId, adminKey);
    const r = await admin.request('DELETE', `/.well-known/m2msec/credentials/psk/${twoId}`, 'CAdmin');
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ revoked: `12-${twoId}` });
    expect(r.body.associations).toBeGreaterThanOrEqual(1);
    expect(await within(victim.closed, 5000)).not.toBe('timeout');
    await expect(session(twoId, twoKey)).rejects.toThrow();
    // The administrator's own session is untouched.
    expect((await admin.request('GET', '/cse-in', 'CAdmin')).rsc).toBe(2000);
    expect((await admin.request('DELETE', '/.well-known/m2msec/credentials/psk/nobody', 'CAdmin')).status).toBe(404);
    admin.socket.destroy();
  });

  it('is refused to a non-administrator association and on the plain listener', async () => {
    const one = await session(oneId, oneKey);
    const r = await one.request('DELETE', `/.well-known/m2msec/credentials/psk/${adminId}`, 'CAdmin');
    expect(r.status).toBe(403);
    one.socket.destroy();
    const plain = await fetch(`${s.cse.url}/.well-known/m2msec/credentials/psk/${adminId}`, {
      method: 'DELETE',
      headers: { 'X-M2M-Origin': 'CAdmin', 'X-M2M-RI': 'plain', 'X-M2M-RVI': '3' },
    });
    expect(plain.status).toBe(403);
    // The administrator's credential still works.
    const admin = await session(adminId, adminKey);
    expect((await admin.request('GET', '/cse-in', 'CAdmin')).rsc).toBe(2000);
    admin.socket.destroy();
  });
});
