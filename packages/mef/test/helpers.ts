// Test fixtures: an in-process MEF over a temporary SQLite store and software SE, and enrolee SEs.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { httpEdge } from '@m2msec/binding-http';
import { createKeyFile, openSoftwareSecureEnvironment, type SecureEnvironment } from '@m2msec/secure-environment';
import { openSqliteStore, type Store } from '@m2msec/store';
import { type RunningMef, type StartMefOptions, startMef } from '../src/index.js';

export const MEF_FQDN = 'mef.m2msec.org';
export const ADMIN_TOKEN = 'test-admin-token-0123456789';

export function tmp(prefix = 'm2msec-mef-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export async function openSe(dir: string = tmp('m2msec-se-')): Promise<SecureEnvironment> {
  const keyFile = join(dir, 'ks.key');
  createKeyFile(keyFile);
  return openSoftwareSecureEnvironment({ path: join(dir, 'ks.json'), keyFile });
}

export interface TestMef {
  dir: string;
  mef: RunningMef;
  se: SecureEnvironment;
  store: Store;
  admin(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
  close(): Promise<void>;
}

export async function startTestMef(extra: Partial<StartMefOptions> = {}): Promise<TestMef> {
  const dir = tmp();
  const keyFile = join(dir, 'ks.key');
  createKeyFile(keyFile);
  const se = await openSoftwareSecureEnvironment({ path: join(dir, 'ks.json'), keyFile });
  const store = await openSqliteStore({ file: join(dir, 'mef.db') });
  const mef = await startMef({
    edge: httpEdge,
    fqdn: MEF_FQDN,
    store,
    se,
    psk: { host: '127.0.0.1', port: 0 },
    admin: { host: '127.0.0.1', port: 0, token: ADMIN_TOKEN },
    ...extra,
  });
  return {
    dir,
    mef,
    se,
    store,
    async admin(method, path, body) {
      const r = await fetch(mef.urls.admin + path, {
        method,
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      return { status: r.status, body: await r.json() };
    },
    async close() {
      await mef.close();
      await store.close();
      await se.close();
    },
  };
}

export const hex = (n = 32) => randomBytes(n).toString('hex');

const openssl = (args: string[]) => {
  const r = spawnSync('openssl', args, { timeout: 60_000 });
  if (r.status !== 0) throw new Error(r.stderr.toString());
};

/** root.pem / root.key (a test root) and mef.pem / mef.key (the MEF's server certificate for MEF_FQDN) in `dir`. */
export function makeServerCertificate(dir: string): void {
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  openssl(
    ['req', '-x509', '-new', ...ec, '-keyout', join(dir, 'root.key'), '-out', join(dir, 'root.pem')]
      .concat(['-subj', '/CN=root', '-days', '30', '-addext', 'basicConstraints=critical,CA:TRUE'])
      .concat(['-addext', 'keyUsage=critical,keyCertSign']),
  );
  openssl(['req', '-new', ...ec, '-keyout', join(dir, 'mef.key'), '-out', join(dir, 'mef.csr'), '-subj', '/CN=mef']);
  writeFileSync(join(dir, 'ext'), `subjectAltName=DNS:${MEF_FQDN}\nextendedKeyUsage=serverAuth\n`);
  openssl(
    ['x509', '-req', '-in', join(dir, 'mef.csr'), '-CA', join(dir, 'root.pem'), '-CAkey', join(dir, 'root.key')].concat(
      ['-CAcreateserial', '-out', join(dir, 'mef.pem'), '-days', '30', '-extfile', join(dir, 'ext')],
    ),
  );
}
