// DSKPP-PRF, the derivations built on it and AES key wrap: published vectors, and independent
// recomputation with openssl run inside the test.
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { aesCmacPrf128 } from '@m2msec/crypto';
import { describe, expect, it } from 'vitest';
import {
  aesKeyUnwrap,
  aesKeyWrap,
  authenticationDataMac,
  deriveFourPassKeys,
  dskppPrf,
  encodeAuthenticationCode,
  keyConfirmationMac,
  MAC_DSKPP_PRF_AES_128,
  MAC_DSKPP_PRF_SHA256,
  messageHash,
} from '../src/index.js';

const hex = (s: string) => new Uint8Array(Buffer.from(s.replace(/\s/g, ''), 'hex'));
const toHex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const int32 = (i: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(i);
  return b;
};

function opensslCmacRaw(key: Uint8Array, data: Uint8Array): Uint8Array {
  const r = spawnSync('openssl', ['mac', '-cipher', 'AES-128-CBC', '-macopt', `hexkey:${toHex(key)}`, 'CMAC'], {
    input: data,
  });
  if (r.status !== 0) throw new Error(r.stderr.toString());
  return hex(r.stdout.toString().trim());
}
function opensslHmacSha256(key: Uint8Array, data: Uint8Array): Uint8Array {
  const r = spawnSync('openssl', ['mac', '-digest', 'SHA256', '-macopt', `hexkey:${toHex(key)}`, 'HMAC'], {
    input: data,
  });
  if (r.status !== 0) throw new Error(r.stderr.toString());
  return hex(r.stdout.toString().trim());
}

/** PBKDF2-HMAC-SHA-256 by openssl kdf (K_AC of RFC 6063 3.4.1.2). */
function opensslPbkdf2(password: Uint8Array, salt: Uint8Array, iter: number): Uint8Array {
  const r = spawnSync('openssl', [
    'kdf',
    '-keylen',
    '16',
    '-kdfopt',
    'digest:SHA256',
    '-kdfopt',
    `hexpass:${toHex(password)}`,
    '-kdfopt',
    `hexsalt:${toHex(salt)}`,
    '-kdfopt',
    `iter:${iter}`,
    'PBKDF2',
  ]);
  if (r.status !== 0) throw new Error(r.stderr.toString());
  return hex(r.stdout.toString().trim().replace(/:/g, ''));
}

/** DSKPP-PRF-AES (RFC 6063 D.2) recomputed with openssl CMAC: AES-128, k truncated to 16 octets. */
function opensslDskppPrfAes(k: Uint8Array, s: Uint8Array, dsLen: number): Uint8Array {
  const key = k.subarray(0, 16);
  const blocks: Uint8Array[] = [];
  for (let i = 1; i * 16 < dsLen + 16; i++) blocks.push(opensslCmacRaw(key, Buffer.concat([int32(i), s])));
  return Buffer.concat(blocks).subarray(0, dsLen);
}

function opensslDskppPrfSha256(k: Uint8Array, s: Uint8Array, dsLen: number): Uint8Array {
  const blocks: Uint8Array[] = [];
  for (let i = 1; i * 32 < dsLen + 32; i++) blocks.push(opensslHmacSha256(k, Buffer.concat([int32(i), s])));
  return Buffer.concat(blocks).subarray(0, dsLen);
}

describe('authentication code TLV (RFC 6063 3.4.1.1, the RFC examples)', () => {
  it('hex fields as they are, other fields as the hex of their UTF-8 octets', () => {
    expect(encodeAuthenticationCode('AC00000A', '3582AF0C3E')).toBe('108AC00000A20A3582AF0C3E');
    expect(encodeAuthenticationCode('myclient!D', 'mYpas&#rD')).toBe('1146D79636C69656E7421442126D5970617326237244');
  });
});

describe('DSKPP-PRF recomputed with openssl', () => {
  it.each([16, 18, 32])('DSKPP-PRF-AES, %i-byte key, 1..3 blocks and truncation', (keyLength) => {
    const k = new Uint8Array(randomBytes(keyLength));
    const s = new Uint8Array(randomBytes(45));
    for (const dsLen of [16, 20, 32, 48]) {
      expect(toHex(dskppPrf(MAC_DSKPP_PRF_AES_128, k, s, dsLen))).toBe(toHex(opensslDskppPrfAes(k, s, dsLen)));
    }
  });

  it('DSKPP-PRF-SHA256, 2 blocks and truncation', () => {
    const k = new Uint8Array(randomBytes(20));
    const s = new Uint8Array(randomBytes(33));
    for (const dsLen of [16, 32, 64, 50]) {
      expect(toHex(dskppPrf(MAC_DSKPP_PRF_SHA256, k, s, dsLen))).toBe(toHex(opensslDskppPrfSha256(k, s, dsLen)));
    }
  });

  it('one complete 4-pass derivation: K_PROV (4.1.2), key confirmation MAC and AD MAC (3.4.1.2)', () => {
    const rc = new Uint8Array(randomBytes(16));
    const rs = new Uint8Array(randomBytes(16));
    const kShared = new Uint8Array(randomBytes(16));
    const ac = new Uint8Array(randomBytes(21));
    const url = 'https://mef.example/dskpp';
    const clientId = 'AC00000A';

    const { kMac, kToken } = deriveFourPassKeys(MAC_DSKPP_PRF_AES_128, rc, kShared, rs, 16);
    const kProv = opensslDskppPrfAes(rc, Buffer.concat([Buffer.from('Key generation'), kShared, rs]), 32);
    expect(toHex(kMac)).toBe(toHex(kProv.subarray(0, 16)));
    expect(toHex(kToken)).toBe(toHex(kProv.subarray(16)));

    // 4.2.4: MAC = DSKPP-PRF(K_MAC, "MAC 1 computation" || msg_hash, len(msg_hash)), msg_hash = SHA-256(msg_1 || msg_2 || msg_3)
    const msgs = ['<a/>', '<b/>', '<c/>'];
    const msgHash = createHash('sha256').update(msgs.join('')).digest();
    expect(toHex(keyConfirmationMac(MAC_DSKPP_PRF_AES_128, kMac, messageHash(...msgs)))).toBe(
      toHex(
        Buffer.concat(
          [1, 2].map((i) =>
            opensslCmacRaw(kProv.subarray(0, 16), Buffer.concat([int32(i), Buffer.from('MAC 1 computation'), msgHash])),
          ),
        ),
      ),
    );
    // 5.2.2 (two-pass): ... || msg_hash || ServerID
    expect(toHex(keyConfirmationMac(MAC_DSKPP_PRF_SHA256, kMac, msgHash, 'https://mef.example'))).toBe(
      toHex(
        opensslHmacSha256(
          kMac,
          Buffer.concat([int32(1), Buffer.from('MAC 1 computation'), msgHash, Buffer.from('https://mef.example')]),
        ),
      ),
    );
    // K_AC = PBKDF2(AC->password, R_C || K, iter, 16); MAC = DSKPP-PRF(K_AC, ClientID || URL_S || R_C || R_S, 16)
    const kAc = opensslPbkdf2(ac, Buffer.concat([rc, kShared]), 100_000);
    const input = { password: ac, clientId, serverUrl: url, clientNonce: rc, k: kShared, iterationCount: 100_000 };
    expect(toHex(authenticationDataMac(MAC_DSKPP_PRF_AES_128, { ...input, serverNonce: rs }))).toBe(
      toHex(opensslDskppPrfAes(kAc, Buffer.concat([Buffer.from(clientId), Buffer.from(url), rc, rs]), 16)),
    );
    // two-pass: no R_S, and K_SHARED with one iteration
    expect(toHex(authenticationDataMac(MAC_DSKPP_PRF_SHA256, { ...input, iterationCount: 1 }))).toBe(
      toHex(
        opensslDskppPrfSha256(
          opensslPbkdf2(ac, Buffer.concat([rc, kShared]), 1),
          Buffer.concat([Buffer.from(clientId), Buffer.from(url), rc]),
          16,
        ),
      ),
    );
  });

  it('refuses an empty key, a bad length and an unknown realization', () => {
    expect(() => dskppPrf(MAC_DSKPP_PRF_AES_128, new Uint8Array(), new Uint8Array(1), 16)).toThrow(/at least 16/);
    // 3.4.2: k MUST be at least 16 octets.
    expect(() => dskppPrf(MAC_DSKPP_PRF_SHA256, new Uint8Array(15), new Uint8Array(1), 16)).toThrow(/at least 16/);
    expect(() => dskppPrf(MAC_DSKPP_PRF_AES_128, new Uint8Array(16), new Uint8Array(1), 0)).toThrow(RangeError);
    expect(() => dskppPrf('urn:x' as never, new Uint8Array(16), new Uint8Array(1), 16)).toThrow(/unsupported/);
  });
});

describe('AES key wrap (kw-aes128)', () => {
  it('RFC 3394 section 4.1 vector, and openssl id-aes128-wrap on random data', () => {
    const kek = hex('000102030405060708090A0B0C0D0E0F');
    const wrapped = aesKeyWrap(kek, hex('00112233445566778899AABBCCDDEEFF'));
    expect(toHex(wrapped)).toBe('1fa68b0a8112b447aef34bd8fb5a7b829d3e862371d2cfe5');
    expect(toHex(aesKeyUnwrap(kek, wrapped, 'w'))).toBe('00112233445566778899aabbccddeeff');

    const k2 = new Uint8Array(randomBytes(16));
    const data = new Uint8Array(randomBytes(32));
    const r = spawnSync('openssl', ['enc', '-id-aes128-wrap', '-K', toHex(k2), '-iv', 'A6A6A6A6A6A6A6A6'], {
      input: data,
    });
    expect(r.status).toBe(0);
    expect(toHex(aesKeyWrap(k2, data))).toBe(r.stdout.toString('hex'));
  });

  it('a flipped bit fails the integrity check with InitializationFailed', () => {
    const kek = new Uint8Array(randomBytes(16));
    const w = aesKeyWrap(kek, new Uint8Array(16));
    w[5] = (w[5] as number) ^ 1;
    expect(() => aesKeyUnwrap(kek, w, 'EncryptedNonce')).toThrow(
      expect.objectContaining({ status: 'InitializationFailed' }),
    );
  });
});

// A known answer from deployed RSA CT-KIP software (RFC 4758, DSKPP's predecessor), as published with a
// third-party CT-KIP client's tests: R_C, R_S, the server's RSA modulus k and the MAC the RSA server
// sent. That software orders the block input s || INT(i) (RFC 4758 D.2.2, quoted there, says INT(i) || s,
// as this package does) and the K_TOKEN input k || "Key generation" || R_S; what the vector settles is the
// block index: the MAC is reproduced with INT(1) for the first block and not with INT(0), which is the
// row "DSKPP-PRF-SHA256 block index" of docs/dskpp.md (this package counts i = 1..n).
describe('CT-KIP-PRF-AES known answer from RSA software: the first block index is 1', () => {
  const R_C = Buffer.from('846cd036914f3bf536e7354ece07b35a', 'hex');
  const R_S = Buffer.from('79956b2fd8502465ad5c5fe99b9e7786', 'hex');
  const k = Buffer.from(
    '1np1DIf3HOHAK2ahcRzZCJsqIC1QMEqtsdanKSEn5CGtLCdLv9LbLUYo6cQxKSJtwvigpeDgBAb/UYcUNXy/7dY7rA5WpYlsaA9h5C9qzPMBHxVGSIe5k61uUbAwdFhCMfLh776wR//VZ7cuypo5d3cCbvgHGwqw4ZuECbKvONM=',
    'base64',
  );
  const int = (i: number) => Buffer.from([i >>> 24, (i >>> 16) & 0xff, (i >>> 8) & 0xff, i & 0xff]);
  const mac = (first: number) => {
    // RSA's order (s || INT(i)), one 16-octet block each; aesCmacPrf128 = AES-CMAC for a 16-octet key.
    const kToken = aesCmacPrf128(R_C, Buffer.concat([k, Buffer.from('Key generation'), R_S, int(first)]));
    return Buffer.from(
      aesCmacPrf128(kToken, Buffer.concat([Buffer.from('MAC 2 Computation'), R_C, int(first)])),
    ).toString('hex');
  };
  it('reproduces the MAC with INT(1), not with INT(0)', () => {
    expect(mac(1)).toBe('eca98d8e5bf211fb5167dada9c262296');
    expect(mac(0)).not.toBe('eca98d8e5bf211fb5167dada9c262296');
  });
});
