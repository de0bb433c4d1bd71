// A private mosquitto (Debian's /usr/sbin/mosquitto) on free ports in a temp dir, configured by
// infra/mosquitto/write-config.ts exactly as an operator would: TLS and TLS-PSK listeners, topic ACL.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type MosquittoClientIds,
  type MosquittoConfigFiles,
  type MosquittoCse,
  writeMosquittoAcl,
  writeMosquittoConfig,
} from '../../../../infra/mosquitto/write-config.js';
import { createTestPki, type TestPki } from './pki.js';

export interface TestBroker {
  dir: string;
  pki: TestPki;
  files: MosquittoConfigFiles;
  tlsPort: number;
  pskPort: number;
  tlsUrl: string;
  pskUrl: string;
  /** PSK keys by identity (hex). */
  psk: Map<string, string>;
  /** Everything mosquitto wrote to stderr so far. */
  log(): string;
  /** Rewrites the ACL and makes mosquitto reload it (SIGHUP). */
  reloadAcl(cses: MosquittoCse[], clients: MosquittoClientIds[]): Promise<void>;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`mosquitto exited (${child.exitCode}):\n${log()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`mosquitto did not listen on ${port}:\n${log()}`);
}

export interface StartBrokerOptions {
  cses?: MosquittoCse[];
  clients?: MosquittoClientIds[];
  /** PSK identities to provision (keys are drawn at random). */
  pskIdentities?: string[];
  maxPacketBytes?: number;
  /** The CA and certificates of another broker (two brokers that trust the same clients). */
  pki?: TestPki;
}

export async function startBroker(o: StartBrokerOptions = {}): Promise<TestBroker> {
  const dir = mkdtempSync(join(tmpdir(), 'm2msec-mosquitto-'));
  const pki = o.pki ?? createTestPki(dir);
  const [tlsPort, pskPort] = [await freePort(), await freePort()];
  const psk = new Map((o.pskIdentities ?? []).map((id) => [id, randomBytes(32).toString('hex')] as const));
  const cses = o.cses ?? [];
  const files = writeMosquittoConfig({
    dir: join(dir, 'broker'),
    tls: { port: tlsPort, caFile: pki.caFile, certFile: pki.server.certFile, keyFile: pki.server.keyFile },
    psk: { port: pskPort, hint: 'm2msec-test', keys: [...psk].map(([identity, keyHex]) => ({ identity, keyHex })) },
    cses,
    clients: o.clients ?? [],
    maxPacketBytes: o.maxPacketBytes,
    runAsUser: process.getuid?.() === 0 ? 'root' : undefined,
  });
  const child = spawn('/usr/sbin/mosquitto', ['-c', files.confFile], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
  });
  const log = () => stderr;
  try {
    await waitForPort(tlsPort, child, log);
    await waitForPort(pskPort, child, log);
  } catch (e) {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return {
    dir,
    pki,
    files,
    tlsPort,
    pskPort,
    tlsUrl: `mqtts://localhost:${tlsPort}`,
    pskUrl: `mqtts://127.0.0.1:${pskPort}`,
    psk,
    log,
    async reloadAcl(newCses, clients) {
      writeMosquittoAcl(files.aclFile, newCses, clients);
      const before = stderr.length;
      child.kill('SIGHUP');
      const deadline = Date.now() + 5_000;
      while (!stderr.slice(before).includes('Reloading config') && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 20));
      }
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
