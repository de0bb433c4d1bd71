// A MAF in this process over a SQLite (or PostgreSQL) store and a software SE in a temp directory,
// clients provisioned through the admin API as an operator would.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { httpEdge } from '@m2msec/binding-http';
import { createKeyFile, openSoftwareSecureEnvironment, type SecureEnvironment } from '@m2msec/secure-environment';
import { openPostgresStore, openSqliteStore, type Store } from '@m2msec/store';
import { MAF_KEK_ID, MafClient, type RunningMaf, type StartMafOptions, startMaf } from '../src/index.js';

export const MAF_FQDN = 'maf.m2msec.org';
export const ADMIN_FQDN = 'sp.m2msec.org';
export const TOKEN = 'test-admin-token';
export const PG_URL = process.env.M2MSEC_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestMaf {
  maf: RunningMaf;
  store: Store;
  se: SecureEnvironment;
  dir: string;
  /** Provisions a pre-provisioned Km for clientId; returns a MafClient holding it. */
  client(clientId: string, o?: { expirationTime?: string }): Promise<MafClient & { km: Buffer; kmId: string }>;
  admin(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
  close(): Promise<void>;
}

export async function startTestMaf(
  o: Partial<StartMafOptions> & { postgresSchema?: string; dir?: string; kek?: Buffer } = {},
): Promise<TestMaf> {
  const dir = o.dir ?? mkdtempSync(join(tmpdir(), 'maf-test-'));
  const keyFile = join(dir, 'keystore.key');
  createKeyFile(keyFile);
  const se = await openSoftwareSecureEnvironment({ path: join(dir, 'keystore.json'), keyFile });
  // Instances sharing one database share the KEK that seals Km and distributed keys.
  if (o.kek) await se.importKey({ id: MAF_KEK_ID, algorithm: 'AES', usages: ['encrypt'], label: 'MAF KEK' }, o.kek);
  const store = o.postgresSchema
    ? await openPostgresStore({ connectionString: PG_URL, schema: o.postgresSchema })
    : await openSqliteStore({ file: join(dir, 'maf.db') });
  const { postgresSchema: _schema, dir: _dir, kek: _kek, ...options } = o;
  const maf = await startMaf({
    edge: httpEdge,
    fqdn: MAF_FQDN,
    store,
    se,
    psk: { host: '127.0.0.1', port: 0 },
    admin: { host: '127.0.0.1', port: 0, token: TOKEN },
    purgeIntervalMs: 0,
    notificationTimeoutMs: 10_000,
    ...options,
  });
  const admin = async (method: string, path: string, body?: unknown) => {
    const r = await fetch(maf.urls.admin + path, {
      method,
      headers: {
        authorization: `Bearer ${TOKEN}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    return { status: r.status, body: await r.json() };
  };
  let n = 0;
  return {
    maf,
    store,
    se,
    dir,
    admin,
    async client(clientId, co = {}) {
      const km = randomBytes(32);
      const kmId = `km${++n}-${randomBytes(4).toString('hex')}@${MAF_FQDN}`;
      const r = await admin('PUT', `/admin/clients/psk/${encodeURIComponent(kmId)}`, {
        km: km.toString('hex'),
        clientId,
        ...(co.expirationTime ? { expirationTime: co.expirationTime } : {}),
      });
      if (r.status !== 200) throw new Error(`provisioning failed: ${JSON.stringify(r.body)}`);
      const c = new MafClient({
        mafUrl: maf.urls.psk!,
        mafFqdn: MAF_FQDN,
        credential: { kind: 'psk', identity: kmId, key: km },
      });
      return Object.assign(c, { km, kmId });
    },
    async close() {
      await maf.close();
      await store.close();
      await se.close();
      if (!o.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const inMinutes = (m: number) => new Date(Date.now() + m * 60_000).toISOString();
