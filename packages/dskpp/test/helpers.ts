import { spawnSync } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { httpEdge } from '@m2msec/binding-http';
import { aesCmac } from '@m2msec/crypto';
import type { HttpEdgeListener } from '@m2msec/protocol';
import { createKeyFile, openSoftwareSecureEnvironment, type SecureEnvironment } from '@m2msec/secure-environment';
import {
  DskppClient,
  type DskppClientOptions,
  type DskppClientRecord,
  DskppServer,
  type DskppServerOptions,
  dskppRoutes,
  httpTransport,
  MemoryClientRegistry,
  MemoryProvisionedKeyStore,
} from '../src/index.js';

export const tmp = (prefix: string) => mkdtempSync(join(tmpdir(), `m2msec-dskpp-${prefix}-`));

export const DEVICE = { manufacturer: 'iana.32473', serialNo: 'SN-0001', model: 'ASN-node' };

export function clientRecord(overrides: Partial<DskppClientRecord> = {}): DskppClientRecord {
  return {
    clientId: 'C-AE-0001',
    authenticationCode: new Uint8Array(randomBytes(20)),
    sharedKey: { name: 'Kshared-0001', key: new Uint8Array(randomBytes(16)) },
    device: DEVICE,
    ...overrides,
  };
}

export interface Harness {
  url: string;
  server: DskppServer;
  keys: MemoryProvisionedKeyStore;
  record: DskppClientRecord;
  close(): Promise<void>;
}

/** A DSKPP server behind a real HTTP listener on 127.0.0.1. */
export async function startServer(
  options: Partial<DskppServerOptions> & { record?: DskppClientRecord } = {},
): Promise<Harness> {
  const record = options.record ?? clientRecord();
  const keys = new MemoryProvisionedKeyStore();
  let serve: HttpEdgeListener | undefined;
  const listener = createServer((req, res) => serve?.(req, res));
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(listener.address() as AddressInfo).port}/dskpp`;
  const server = new DskppServer({
    serverUrl: url,
    serverId: 'mef.m2msec.example',
    clients: new MemoryClientRegistry([record]),
    keys,
    mode: 'stateful',
    ...options,
  });
  serve = httpEdge(dskppRoutes(server), { prefix: '/dskpp' });
  return {
    url,
    server,
    keys,
    record,
    close: () => new Promise((r) => listener.close(() => r())),
  };
}

export async function openSe(): Promise<{ se: SecureEnvironment; dir: string }> {
  const dir = tmp('se');
  const keyFile = join(dir, 'kek');
  createKeyFile(keyFile);
  const se = await openSoftwareSecureEnvironment({ path: join(dir, 'ks.json'), keyFile });
  await se.importKey({ algorithm: 'HMAC', usages: ['mac'], id: 'attest' }, new Uint8Array(32).fill(7));
  return { se, dir };
}

export function clientFor(
  h: { url: string; record: DskppClientRecord },
  se: SecureEnvironment,
  overrides: Partial<DskppClientOptions> = {},
): DskppClient {
  return new DskppClient({
    transport: httpTransport(h.url),
    serverUrl: h.url,
    clientId: h.record.clientId,
    authenticationCode: h.record.authenticationCode,
    sharedKey: h.record.sharedKey,
    device: DEVICE,
    secureEnvironment: se,
    attestationKey: 'attest',
    ...overrides,
  });
}

/** The server's copy of a key, as a CMAC / HMAC tag over a challenge (the key itself is never shown). */
export function serverTag(keys: MemoryProvisionedKeyStore, keyId: string, challenge: Uint8Array): string {
  const k = keys.keys.get(keyId);
  if (!k) throw new Error(`server has no key ${keyId}`);
  if (k.secret.every((b) => b === 0)) throw new Error('server key is all zero');
  if (k.secret.length === 16) return aesCmac(k.secret, challenge).toString('hex');
  return createHmac('sha256', k.secret).update(challenge).digest('hex');
}

/** Runs a command; returns {status, stdout, stderr}. */
export function run(cmd: string, args: string[], input?: string | Uint8Array, env?: NodeJS.ProcessEnv) {
  const r = spawnSync(cmd, args, { input, env: { ...process.env, ...env }, timeout: 60_000 });
  return { status: r.status, stdout: r.stdout?.toString() ?? '', stderr: r.stderr?.toString() ?? '' };
}

export function writeTemp(name: string, content: string | Uint8Array): string {
  const p = join(tmp('f'), name);
  writeFileSync(p, content);
  return p;
}

/**
 * pskctool --validate (libpskc, Debian pskctool): XML Schema validation of a KeyContainer against
 * the RFC 6030 schema. pskctool exits 0 even on FAIL, so the verdict is its output line. With -d it
 * also reports what libpskc's own parser did not understand (it has no support for encrypted values).
 */
export function pskctoolValidate(xml: string): { ok: boolean; unknown: string[]; output: string } {
  const file = writeTemp('kc.xml', xml);
  const r = run('pskctool', ['-d', '--validate', file]);
  const unknown = [...r.stderr.matchAll(/debug: unknown <(\w+)> element <(\w+)>/g)].map((m) => `${m[1]}/${m[2]}`);
  return { ok: r.status === 0 && r.stdout.trim() === 'OK', unknown, output: r.stdout + r.stderr };
}
