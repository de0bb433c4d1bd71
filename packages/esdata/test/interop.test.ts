// ESData objects made here are verified / decrypted by an independent JOSE implementation (Debian's
// python3-jwcrypto), and objects it makes are verified / decrypted here, for every algorithm TS-0003 8.5.3
// offers (Tables 8.5.3.2-3, 8.5.3.2-4, 8.5.3.3-2).
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync, type KeyObject, randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  decryptCompact,
  ESDATA_JWE_ALGS,
  ESDATA_JWE_ENCS,
  ESDATA_JWS_ALGS,
  type EsdataJweAlg,
  type EsdataJwsAlg,
  encryptCompact,
  keyResolver,
  signCompact,
  verifyCompact,
} from '../src/index.js';

const PEER = fileURLToPath(new URL('./fixtures/jwcrypto_peer.py', import.meta.url));

function peer(req: object): Record<string, string> {
  // /usr/bin/python3 is Debian's interpreter, where python3-jwcrypto is installed.
  const r = spawnSync('/usr/bin/python3', [PEER], { input: JSON.stringify(req), encoding: 'utf8', timeout: 30_000 });
  if (r.status !== 0) throw new Error(`jwcrypto peer failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

const curveOf = { ES256: 'P-256', ES384: 'P-384', ES512: 'P-521' } as const;
const octLen: Record<string, number> = { HS256: 32, HS384: 48, HS512: 64, A128KW: 16, A192KW: 24, A256KW: 32 };

interface Material {
  /** What the signer / decrypter holds here. */
  mine: Uint8Array | KeyObject;
  /** What the other side of the same operation holds here. */
  theirs: Uint8Array | KeyObject;
  /** JWK for jwcrypto of the private (or shared) key, and of the public key. */
  privateJwk: object;
  publicJwk: object;
}

function material(alg: string, enc = 'A256GCM'): Material {
  const oct = (n: number) => {
    const k = randomBytes(n);
    const jwk = { kty: 'oct', k: k.toString('base64url') };
    return { mine: k, theirs: k, privateJwk: jwk, publicJwk: jwk };
  };
  if (alg === 'dir') return oct({ A128GCM: 16, A192GCM: 24, A256GCM: 32 }[enc]!);
  if (octLen[alg]) return oct(octLen[alg]!);
  const pair = alg.startsWith('ES')
    ? generateKeyPairSync('ec', { namedCurve: curveOf[alg as keyof typeof curveOf] })
    : alg.startsWith('ECDH')
      ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
      : generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    mine: pair.privateKey,
    theirs: pair.publicKey,
    privateJwk: pair.privateKey.export({ format: 'jwk' }),
    publicJwk: pair.publicKey.export({ format: 'jwk' }),
  };
}

const payload = JSON.stringify({ temperature: 21.5, unit: '°C' });
const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('JWS (TS-0003 Table 8.5.3.3-2) against python3-jwcrypto', () => {
  it.each(ESDATA_JWS_ALGS.map((a) => [a]))(
    '%s: signed here, verified there; signed there, verified here',
    async (alg) => {
      const m = material(alg);
      const kid = `51-/id-in/C${alg}`;
      const jws = await signCompact(payload, { kid, alg: alg as EsdataJwsAlg, key: m.mine });
      const there = peer({ op: 'verify-jws', object: jws, alg, jwk: m.publicJwk });
      expect(Buffer.from(there.payload!, 'base64').toString()).toBe(payload);
      expect(there.kid).toBe(kid);
      const theirs = peer({ op: 'sign-jws', payload: b64(payload), alg, kid, jwk: m.privateJwk });
      const here = await verifyCompact(theirs.object, keyResolver([{ kid, key: m.theirs }]));
      expect(Buffer.from(here.payload).toString()).toBe(payload);
      expect([here.kid, here.alg]).toEqual([kid, alg]);
      // and an altered jwcrypto signature is refused here
      const bad = `${theirs.object!.slice(0, -4)}${theirs.object!.slice(-4) === 'AAAA' ? 'BBBB' : 'AAAA'}`;
      await expect(verifyCompact(bad, keyResolver([{ kid, key: m.theirs }]))).rejects.toMatchObject({ rsc: 4102 });
    },
  );
});

describe('JWE (TS-0003 Tables 8.5.3.2-3 and -4) against python3-jwcrypto', () => {
  const cases = ESDATA_JWE_ALGS.flatMap((alg) => ESDATA_JWE_ENCS.map((enc) => [alg, enc] as const));
  it.each(cases)('%s + %s: encrypted here, decrypted there; encrypted there, decrypted here', async (alg, enc) => {
    const m = material(alg, enc);
    const kid = `41-/id-in/C${alg}`;
    const jwe = await encryptCompact(payload, { kid, alg: alg as EsdataJweAlg, key: m.theirs }, enc);
    const there = peer({ op: 'decrypt-jwe', object: jwe, jwk: m.privateJwk });
    expect(Buffer.from(there.payload!, 'base64').toString()).toBe(payload);
    expect(there.kid).toBe(kid);
    const theirs = peer({ op: 'encrypt-jwe', payload: b64(payload), alg, enc, kid, jwk: m.publicJwk });
    const here = await decryptCompact(theirs.object, keyResolver([{ kid, key: m.mine }]));
    expect(Buffer.from(here.plaintext).toString()).toBe(payload);
    expect([here.kid, here.alg, here.enc]).toEqual([kid, alg, enc]);
  });
});

describe('ECDH-ES key types beyond P-256 (P-384, P-521) against python3-jwcrypto', () => {
  const cases = (['P-384', 'P-521'] as const).flatMap((crv) =>
    (['ECDH-ES+A128KW', 'ECDH-ES+A256KW'] as const).map((alg) => [crv, alg] as const),
  );
  it.each(cases)('%s with %s: both directions', async (crv, alg) => {
    const pair = generateKeyPairSync('ec', { namedCurve: crv });
    const kid = `41-/id-in/C${crv}`;
    const jwe = await encryptCompact(payload, { kid, alg, key: pair.publicKey }, 'A256GCM');
    const there = peer({ op: 'decrypt-jwe', object: jwe, jwk: pair.privateKey.export({ format: 'jwk' }) });
    expect(Buffer.from(there.payload!, 'base64').toString()).toBe(payload);
    const theirs = peer({
      op: 'encrypt-jwe',
      payload: b64(payload),
      alg,
      enc: 'A256GCM',
      kid,
      jwk: pair.publicKey.export({ format: 'jwk' }),
    });
    const here = await decryptCompact(theirs.object, keyResolver([{ kid, key: pair.privateKey }]));
    expect(Buffer.from(here.plaintext).toString()).toBe(payload);
  });
});
