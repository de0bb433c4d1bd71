// Runs the independent tools the tests cross-check against (openssl 3, osmo-auc-gen).
import { spawnSync } from 'node:child_process';

export function run(cmd: string, args: string[], input?: Uint8Array): string {
  const r = spawnSync(cmd, args, { input, encoding: 'buffer', timeout: 20_000 });
  if (r.error) throw r.error;
  if (r.status !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr.toString()}`);
  }
  return r.stdout.toString();
}

/** openssl prints "AB:CD:..." (kdf) or "ABCD..." (mac); returns lower-case hex. */
function hexOut(text: string): string {
  return text.replace(/[:\s]/g, '').toLowerCase();
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

export function opensslTls1Prf(secret: Uint8Array, label: string, seed: Uint8Array, length: number): string {
  // openssl's TLS1-PRF concatenates every seed option in order: label first, then the seed.
  const args = ['kdf', '-keylen', String(length), '-kdfopt', 'digest:SHA256', '-kdfopt', `hexsecret:${hex(secret)}`];
  if (label.length > 0) args.push('-kdfopt', `hexseed:${hex(Buffer.from(label, 'ascii'))}`);
  if (seed.length > 0) args.push('-kdfopt', `hexseed:${hex(seed)}`);
  args.push('TLS1-PRF');
  return hexOut(run('openssl', args));
}

export function opensslHkdf(
  mode: 'EXTRACT_AND_EXPAND' | 'EXTRACT_ONLY' | 'EXPAND_ONLY',
  digest: string,
  key: Uint8Array,
  salt: Uint8Array,
  info: Uint8Array,
  length: number,
): string {
  const args = ['kdf', '-keylen', String(length), '-kdfopt', `digest:${digest}`, '-kdfopt', `mode:${mode}`];
  args.push('-kdfopt', `hexkey:${hex(key)}`);
  if (salt.length > 0) args.push('-kdfopt', `hexsalt:${hex(salt)}`);
  if (info.length > 0) args.push('-kdfopt', `hexinfo:${hex(info)}`);
  args.push('HKDF');
  return hexOut(run('openssl', args));
}

export function opensslHmacSha256(key: Uint8Array, data: Uint8Array): string {
  return hexOut(run('openssl', ['mac', '-digest', 'SHA256', '-macopt', `hexkey:${hex(key)}`, 'HMAC'], data));
}

export function opensslCmac(key: Uint8Array, data: Uint8Array): string {
  const cipher = { 16: 'AES-128-CBC', 24: 'AES-192-CBC', 32: 'AES-256-CBC' }[key.length];
  if (!cipher) throw new Error(`no CMAC cipher for a ${key.length}-byte key`);
  return hexOut(run('openssl', ['mac', '-cipher', cipher, '-macopt', `hexkey:${hex(key)}`, 'CMAC'], data));
}

export interface OsmoAucGenOutput {
  readonly [field: string]: string;
}

/** osmo-auc-gen -3 -a milenage; returns its "NAME:\tvalue" lines as a map (RES, CK, IK, AUTN, SQN ...). */
export function osmoAucGen(args: string[]): OsmoAucGenOutput {
  const out = run('osmo-auc-gen', ['-3', '-a', 'milenage', ...args]);
  const fields: Record<string, string> = {};
  for (const line of out.split('\n')) {
    const m = /^([A-Za-z .-]+):\s+(.*)$/.exec(line.trim());
    if (m) fields[m[1]!] = m[2]!.trim();
  }
  return fields;
}

export const fromHex = (s: string) => Buffer.from(s.replace(/\s/g, ''), 'hex');
