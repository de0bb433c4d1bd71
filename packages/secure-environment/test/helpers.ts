import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const tmp = (prefix: string) => mkdtempSync(join(tmpdir(), `m2msec-se-${prefix}-`));

/** Run openssl with stdin; returns stdout bytes or throws with its stderr. */
export function openssl(args: string[], input?: Uint8Array): Buffer {
  const r = spawnSync('openssl', args, { input });
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')} failed: ${r.stderr.toString()}`);
  return r.stdout;
}

export function opensslHmacHex(keyHex: string, data: Uint8Array): string {
  const out = openssl(['dgst', '-sha256', '-mac', 'HMAC', '-macopt', `hexkey:${keyHex}`, '-r'], data).toString();
  return out.split(' ')[0]!.trim();
}

/** IEEE P1363 r||s to DER ECDSA-Sig-Value, for openssl. */
export function p1363ToDer(sig: Uint8Array): Buffer {
  const int = (b: Uint8Array) => {
    let i = 0;
    while (i < b.length - 1 && b[i] === 0) i++;
    let v = Buffer.from(b.subarray(i));
    if (v[0]! & 0x80) v = Buffer.concat([Buffer.from([0]), v]);
    return Buffer.concat([Buffer.from([0x02, v.length]), v]);
  };
  const body = Buffer.concat([int(sig.subarray(0, 32)), int(sig.subarray(32))]);
  return Buffer.concat([Buffer.from([0x30, body.length]), body]);
}

export function opensslVerifyEcdsa(spkiDer: Uint8Array, data: Uint8Array, sigP1363: Uint8Array): boolean {
  const dir = tmp('ossl');
  writeFileSync(join(dir, 'pub.der'), spkiDer);
  writeFileSync(join(dir, 'sig.der'), p1363ToDer(sigP1363));
  writeFileSync(join(dir, 'data'), data);
  const r = spawnSync('openssl', [
    'dgst',
    '-sha256',
    '-keyform',
    'DER',
    '-verify',
    join(dir, 'pub.der'),
    '-signature',
    join(dir, 'sig.der'),
    join(dir, 'data'),
  ]);
  return r.status === 0 && r.stdout.toString().includes('Verified OK');
}

export const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
export const unhex = (s: string) => new Uint8Array(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
