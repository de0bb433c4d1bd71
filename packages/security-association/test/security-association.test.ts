// The SA function over real parts: a software SE with a CredentialStore holding Kpsa, a SQLite store
// for bindings and DerivedKey windows, a Node HTTPS server, openssl s_client as Entity A.
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import type { RequestPrimitive } from '@m2msec/protocol';
import { OneM2MClient } from '@m2msec/saef';
import { openSoftwareSecureEnvironment } from '@m2msec/secure-environment';
import { CredentialStore } from '@m2msec/sensitive-data';
import { openSqliteStore, type Store } from '@m2msec/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  associationTransportContext,
  bindRegisteredAes,
  CredentialStorePskDirectory,
  DERIVED_KEY_TA_OWNER,
  PersistentCredentialBindings,
  pskAssociationFramework,
  SecurityAssociationRegistry,
} from '../src/index.js';

const idContext = { spId: 'm2msec.org', cseId: '/id-in' };
const dir = mkdtempSync(join(tmpdir(), 'm2msec-sa-'));
const kpsaId = 'kpsa1@mef.m2msec.org';
const kpsa = randomBytes(32);

let store: Store;
let credentials: CredentialStore;
let bindings: PersistentCredentialBindings;
let registry: SecurityAssociationRegistry;
let server: Server;
let port: number;
const torn: string[] = [];

beforeAll(async () => {
  store = await openSqliteStore({ file: join(dir, 'r.db') });
  const se = await openSoftwareSecureEnvironment({
    path: join(dir, 'se.json'),
    passphrase: 'test',
    scrypt: { N: 1024, r: 8, p: 1 },
  });
  credentials = await CredentialStore.open({ se });
  await credentials.addKey('Kpsa', { credentialId: kpsaId, owner: 'test' }, kpsa);
  await credentials.addKey(
    'Kpsa',
    { credentialId: 'short@mef.m2msec.org', owner: 'test', expiresAt: Date.now() + 1500 },
    kpsa,
  );
  await credentials.addKey('Kpsa', { credentialId: 'DKTA.ta1', owner: DERIVED_KEY_TA_OWNER }, kpsa);
  await credentials.addKey('Kpm', { credentialId: 'kpm1@mef.m2msec.org', owner: 'test' }, kpsa);
  bindings = await PersistentCredentialBindings.open(store.collection('sa-bindings'), idContext);
  registry = new SecurityAssociationRegistry({ onTeardown: (a, why) => torn.push(`${a.credentialId}: ${why}`) });
  const psk = pskAssociationFramework({ registry, idContext, kpsa: new CredentialStorePskDirectory(credentials) });
  const transport = associationTransportContext({ registry, bindings });
  // A stand-in registrar: CREATE <AE> assigns Cnew1; anything else echoes the transport context.
  const handler = bindRegisteredAes(
    async (raw: RequestPrimitive, t) =>
      raw.op === 1
        ? { rsc: 2001, rqi: raw.rqi, pc: { 'm2m:ae': { aei: 'Cnew1' } } }
        : { rsc: 2000, rqi: raw.rqi, pc: t },
    { bindings, idContext },
  );
  server = createServer(psk.tlsOptions, async (req, res) => {
    try {
      const t = transport(req);
      const rsp = await handler({ op: req.method === 'POST' ? 1 : 2, to: 'cse-in', ty: 2, rqi: 'x' }, t);
      res.setHeader('X-M2M-RSC', String(rsp.rsc));
      const pc = typeof rsp.pc === 'object' && rsp.pc !== null ? rsp.pc : {};
      res.end(JSON.stringify({ ...pc, tls: { pskIdentity: t.tls?.pskIdentity } }));
    } catch (e) {
      res.setHeader('X-M2M-RSC', String((e as { rsc?: number }).rsc));
      res.end('{}');
    }
  });
  server.on('secureConnection', psk.onSecureConnection);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  server?.close();
  await store?.close();
});

const client = (identity: string, key = kpsa) =>
  new OneM2MClient({ baseUrl: `https://127.0.0.1:${port}`, framework: { kind: 'psk', identity, key } });

describe('security association function', () => {
  it('binds a Kpsa session to its Credential-ID; an AE-ID assigned at registration becomes bound and persists', async () => {
    const c = client(kpsaId);
    const first = await c.request({ op: 2, to: 'cse-in' });
    expect(first.pc.association).toEqual({ boundIds: [], credentialId: `12-${kpsaId}`, framework: 'psk' });
    expect(first.pc.tls.pskIdentity).toBe(kpsaId);
    expect((await c.request({ op: 1, to: 'cse-in', ty: 2, pc: {} })).rsc).toBe(2001);
    const after = await c.request({ op: 2, to: 'cse-in' });
    expect(after.pc.association.boundIds).toEqual(['/id-in/Cnew1']);
    c.close();
    const reopened = await PersistentCredentialBindings.open(store.collection('sa-bindings'), idContext);
    expect(reopened.boundIdsSync(`12-${kpsaId}`)).toEqual(['/id-in/Cnew1']);
  });

  it('serves only Kpsa: a Kpm, a DerivedKey TA key and unknown identities are refused', async () => {
    for (const id of ['kpm1@mef.m2msec.org', 'DKTA.ta1', 'nobody@mef.m2msec.org']) {
      const c = client(id);
      await expect(c.request({ op: 2, to: 'cse-in' }), id).rejects.toThrow();
      c.close();
    }
  });

  it('tears the association down when its Kpsa expires', async () => {
    const c = client('short@mef.m2msec.org');
    expect((await c.request({ op: 2, to: 'cse-in' })).rsc).toBe(2000);
    const sockets = Object.values(c.agent.sockets).flat() as TLSSocket[];
    const freeSockets = Object.values(c.agent.freeSockets).flat() as TLSSocket[];
    const s = [...sockets, ...freeSockets][0]!;
    await new Promise<void>((r) => (s.destroyed ? r() : s.once('close', () => r())));
    expect(torn.join('\n')).toContain('12-short@mef.m2msec.org: credential expired');
    await expect(c.request({ op: 2, to: 'cse-in' })).rejects.toThrow();
    c.close();
  });

  it('teardownCredential closes live sessions of a revoked credential', async () => {
    const c = client(kpsaId);
    expect((await c.request({ op: 2, to: 'cse-in' })).rsc).toBe(2000);
    expect(registry.teardownCredential(`12-${kpsaId}`)).toBeGreaterThanOrEqual(1);
    c.close();
  });
});

describe('issue 12: reserved identities are never bound', () => {
  it('bindRegisteredAes refuses to bind a reserved AE-ID a handler let through, and binds others', async () => {
    const b = await PersistentCredentialBindings.open(store.collection('reserved-bindings'), idContext);
    const reserved = new Set(['/id-in/CAdmin']);
    const answer = (aei: string) => async (raw: any) => ({
      rsc: 2001 as never,
      rqi: raw.rqi,
      pc: { 'm2m:ae': { aei } },
    });
    const t = { binding: 'http' as const, association: { boundIds: [], credentialId: '12-dev1', framework: 'psk' } };
    const bad = bindRegisteredAes(answer('CAdmin'), { bindings: b, idContext, isReserved: (id) => reserved.has(id) });
    expect((await bad({ op: 1, ty: 2, rqi: 'a', to: 'cse-in', rvi: '3' }, t)).rsc).toBe(5000);
    expect(b.boundIdsSync('12-dev1')).toEqual([]);
    const good = bindRegisteredAes(answer('Cdev1'), { bindings: b, idContext, isReserved: (id) => reserved.has(id) });
    expect((await good({ op: 1, ty: 2, rqi: 'b', to: 'cse-in', rvi: '3' }, t)).rsc).toBe(2001);
    expect(b.boundIdsSync('12-dev1')).toEqual(['/id-in/Cdev1']);
    expect(b.isAeBoundSync('/id-in/Cdev1')).toBe(true);
    expect(b.isAeBoundSync('/id-in/CAdmin')).toBe(false);
  });
});
