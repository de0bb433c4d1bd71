// The reference MAF (apps/maf, built) as its own process on loopback: its TLS-PSK listener for MAF clients
// (MAF Handshake, TS-0003 8.8.2.2), the admin listener, a KEK outside its data directory.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { until } from './process.js';

export const mafMain = fileURLToPath(new URL('../../../apps/maf/dist/main.js', import.meta.url));
export const MAF_FQDN = 'maf.m2msec.org';

export interface MafNode {
  pskUrl: string;
  output(): string;
  /** Provisions a pre-provisioned Km (SUID 11) for clientId through the admin API. */
  addKm(kmId: string, clientId: string, km: Buffer): Promise<void>;
  stop(): Promise<void>;
}

export async function startMaf(): Promise<MafNode> {
  const dir = mkdtempSync(join(tmpdir(), 'm2msec-e2e-maf-'));
  const token = randomBytes(16).toString('hex');
  const kekFile = join(dir, 'keystore.key');
  writeFileSync(kekFile, randomBytes(32), { mode: 0o600 });
  const child: ChildProcess = spawn(process.execPath, [mafMain], {
    env: {
      ...(process.env as Record<string, string>),
      M2MSEC_MAF_CONFIG: '',
      M2MSEC_MAF_FQDN: MAF_FQDN,
      M2MSEC_MAF_DATA_DIR: join(dir, 'data'),
      M2MSEC_MAF_KEYSTORE_KEY_FILE: kekFile,
      M2MSEC_MAF_PSK_PORT: '0',
      M2MSEC_MAF_ADMIN_PORT: '0',
      M2MSEC_MAF_ADMIN_TOKEN: token,
      M2MSEC_STORE: 'sqlite',
      M2MSEC_LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  let urls: { psk: string; admin: string } | undefined;
  await until(
    'MAF ready',
    async () => {
      if (child.exitCode !== null) throw new Error(`MAF exited: ${out}`);
      const line = out.split('\n').find((l) => l.includes('"MAF ready"'));
      if (line) urls = JSON.parse(line).urls;
      return urls !== undefined;
    },
    30_000,
    50,
  );
  const u = urls!;
  return {
    pskUrl: u.psk,
    output: () => out,
    async addKm(kmId, clientId, km) {
      const r = await fetch(`${u.admin}/admin/clients/psk/${encodeURIComponent(kmId)}`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ km: km.toString('hex'), clientId }),
      });
      if (r.status !== 200) throw new Error(`MAF admin refused ${kmId}: ${await r.text()}`);
    },
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
