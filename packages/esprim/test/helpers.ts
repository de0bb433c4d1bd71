import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { ESPrimOriginator, ESPrimReceiver, PairwiseESPrimKeys } from '../src/index.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** HMAC-SHA256 by `openssl mac`, the independent implementation the known-answer tests compare against. */
export function opensslHmacSha256(key: Uint8Array, data: Uint8Array): string {
  const r = spawnSync('openssl', ['mac', '-digest', 'SHA256', '-macopt', `hexkey:${hex(key)}`, 'HMAC'], {
    input: data,
    encoding: 'buffer',
    timeout: 20_000,
  });
  if (r.status !== 0) throw new Error(`openssl mac failed: ${r.stderr.toString()}`);
  return r.stdout.toString().replace(/[:\s]/g, '').toLowerCase();
}

export const AE = '/id-mn/Cae1';
export const KID = 'esprim-key-1@mef.example.com';

/** A Receiver and an Originator sharing one pairwiseESPrimKey bound to AE. */
export function pair(opts: { now?: () => number } = {}) {
  const key = randomBytes(32);
  const keys = new PairwiseESPrimKeys();
  keys.add({ kid: KID, key, identity: AE });
  const receiver = new ESPrimReceiver({ keys, ...(opts.now ? { now: opts.now } : {}) });
  const originator = new ESPrimOriginator({ kid: KID, pairwiseESPrimKey: key, ...(opts.now ? { now: opts.now } : {}) });
  originator.startSession(receiver.issueRandObject());
  return { key, keys, receiver, originator };
}

/** Flips one bit of the character at `index` of a base64url string part, keeping it base64url. */
export function alterChar(s: string, index: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const c = s[index]!;
  const v = alphabet.indexOf(c);
  return s.slice(0, index) + alphabet[v ^ 1] + s.slice(index + 1);
}
