// Test fixtures: an in-memory EnrolmentRepository and KeyVault, a TLS-PSK session pair, and a
// software SE for the enrolee.
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, createServer, type TLSSocket } from 'node:tls';
import { createKeyFile, openSoftwareSecureEnvironment, type SecureEnvironment } from '@m2msec/secure-environment';
import {
  type EnroleePolicy,
  type EnroleePrincipal,
  type EnrolmentRecord,
  type EnrolmentRepository,
  type KeyVault,
  RspfError,
} from '../src/index.js';

export class MemoryRepository implements EnrolmentRepository {
  readonly records = new Map<string, EnrolmentRecord>();
  constructor(readonly policies: Record<string, EnroleePolicy>) {}
  async policyFor(p: EnroleePrincipal) {
    return p.kind === 'psk' ? this.policies[p.kpmId] : undefined;
  }
  async savePending(r: EnrolmentRecord) {
    if (this.records.has(r.keId)) throw new RspfError('CONFLICT', 'exists');
    this.records.set(r.keId, structuredClone(r));
  }
  async markComplete(keId: string, at: number) {
    const r = this.records.get(keId);
    if (r?.state !== 'pending') throw new RspfError('CONFLICT', 'not pending');
    const done = { ...r, state: 'complete' as const, completedAt: at };
    this.records.set(keId, done);
    return done;
  }
  async get(keId: string) {
    return this.records.get(keId);
  }
}

/** Test vault: reversible, tagged so that a wrong purpose / id fails. */
export const memoryVault: KeyVault = {
  async seal(purpose, id, key) {
    return `${purpose}|${id}|${Buffer.from(key).toString('hex')}`;
  },
  async open(purpose, id, sealed) {
    const [p, i, hex] = sealed.split('|');
    if (p !== purpose || i !== id) throw new Error('vault: wrong record');
    return Buffer.from(hex!, 'hex');
  },
};

export const KPM = randomBytes(32);

/** One TLS-PSK session: the MEF's socket and the enrolee's socket. */
export async function tlsPair(kpm = KPM): Promise<{ server: TLSSocket; client: TLSSocket; close(): void }> {
  let serverSocket: TLSSocket | undefined;
  const srv = createServer(
    { ciphers: 'PSK-AES128-CBC-SHA256', maxVersion: 'TLSv1.2', pskCallback: (_s, id) => (id === 'kpm-1' ? kpm : null) },
    (s) => {
      serverSocket = s;
    },
  );
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const client = await new Promise<TLSSocket>((resolve, reject) => {
    const c = connect({
      host: '127.0.0.1',
      port: (srv.address() as AddressInfo).port,
      ciphers: 'PSK-AES128-CBC-SHA256',
      maxVersion: 'TLSv1.2',
      checkServerIdentity: () => undefined,
      pskCallback: () => ({ psk: kpm, identity: 'kpm-1' }),
    });
    c.once('secureConnect', () => resolve(c));
    c.once('error', reject);
  });
  while (!serverSocket) await new Promise((r) => setTimeout(r, 5));
  return {
    server: serverSocket,
    client,
    close() {
      client.destroy();
      serverSocket?.destroy();
      srv.close();
    },
  };
}

export async function openSe(): Promise<SecureEnvironment> {
  const dir = mkdtempSync(join(tmpdir(), 'm2msec-rspf-se-'));
  const keyFile = join(dir, 'ks.key');
  createKeyFile(keyFile);
  return openSoftwareSecureEnvironment({ path: join(dir, 'ks.json'), keyFile });
}
