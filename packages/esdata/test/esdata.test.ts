// ESData security classes and serializations (TS-0003 8.5.2, 8.5.3; TS-0004 m2m:contentSecurity), and the
// attacks a Target End-Point must refuse.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { CompactSign, FlattenedEncrypt } from 'jose';
import { describe, expect, it } from 'vitest';
import {
  contentInfo,
  decryptCompact,
  decryptJson,
  encryptJson,
  keyResolver,
  parseContentInfo,
  protectContent,
  signCompact,
  unprotectContent,
  verifyCompact,
} from '../src/index.js';

const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const hmacKey = randomBytes(32);
const kwKey = randomBytes(32);
const con = JSON.stringify({ reading: 42 });

const signer = { kid: '51-/id-in/Csensor', alg: 'ES256' as const, key: ec.privateKey };
const verifierKeys = keyResolver([
  { kid: '51-/id-in/Csensor', key: ec.publicKey },
  { kid: '15-hmac@mef.example.com', key: hmacKey },
]);
const recipient = { kid: '14-kw@mef.example.com', alg: 'A256KW' as const, key: kwKey };
const decrypterKeys = keyResolver([
  { kid: '14-kw@mef.example.com', key: kwKey },
  { kid: '41-/id-in/Cgw', key: rsa.privateKey },
  { kid: '51-/id-in/Csensor', key: ec.publicKey },
]);

async function codeOf(p: Promise<unknown>): Promise<[number, string] | undefined> {
  try {
    await p;
  } catch (e) {
    return [(e as { rsc: number }).rsc, (e as { code: string }).code];
  }
  return undefined;
}

describe('security classes x contentSecurity serializations 1, 2, 3', () => {
  for (const serialization of [1, 2, 3] as const) {
    it(`serialization ${serialization}: sign, encrypt, sign-then-encrypt round trips`, async () => {
      const signed = await protectContent(con, { securityClass: 'sign', serialization, signers: [signer] });
      const s = await unprotectContent(signed, { securityClass: 'sign', serialization, resolve: verifierKeys });
      expect([Buffer.from(s.payload).toString(), s.signedBy]).toEqual([con, signer.kid]);
      const enc = await protectContent(con, { securityClass: 'encrypt', serialization, recipients: [recipient] });
      expect(enc).not.toContain('reading');
      const e = await unprotectContent(enc, { securityClass: 'encrypt', serialization, resolve: decrypterKeys });
      expect([Buffer.from(e.payload).toString(), e.decryptedWith]).toEqual([con, recipient.kid]);
      const nested = await protectContent(con, {
        securityClass: 'sign-then-encrypt',
        serialization,
        signers: [signer],
        recipients: [recipient],
      });
      const n = await unprotectContent(nested, {
        securityClass: 'sign-then-encrypt',
        serialization,
        resolve: decrypterKeys,
      });
      expect([Buffer.from(n.payload).toString(), n.signedBy, n.decryptedWith]).toEqual([
        con,
        signer.kid,
        recipient.kid,
      ]);
      if (serialization === 3) expect(() => JSON.parse(enc)).toThrow();
    });
  }

  it('JSON serialization carries one recipient per credential (8.5.2.2.1 B); each can decrypt', async () => {
    const jwe = await encryptJson(
      con,
      [recipient, { kid: '41-/id-in/Cgw', alg: 'RSA-OAEP-256', key: rsa.publicKey }],
      'A128GCM',
    );
    expect((jwe as { recipients: unknown[] }).recipients).toHaveLength(2);
    expect((await decryptJson(jwe, keyResolver([{ kid: '41-/id-in/Cgw', key: rsa.privateKey }]))).kid).toBe(
      '41-/id-in/Cgw',
    );
    expect((await decryptJson(jwe, keyResolver([{ kid: recipient.kid, key: kwKey }]))).kid).toBe(recipient.kid);
  });

  it('contentInfo carries the contentSecurity value (TS-0004 Table 6.3.3-1)', () => {
    expect(contentInfo('application/json', 0, 1)).toBe('application/json:0:1');
    expect(parseContentInfo('application/json:0:3')).toEqual({
      mediaType: 'application/json',
      encodingType: 0,
      contentSecurity: 3,
    });
    expect(parseContentInfo('text/plain:0').contentSecurity).toBe(0);
  });
});

describe('attacks on ESData refused with a status', () => {
  it('"alg":"none" and algorithms outside TS-0003 8.5.3 (PS256, RSA1_5, A128CBC-HS256): 4102', async () => {
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', kid: signer.kid })).toString('base64url')}.${Buffer.from(con).toString('base64url')}.`;
    expect(await codeOf(verifyCompact(none, verifierKeys))).toEqual([4102, 'ERR_ESDATA_ALGORITHM']);
    const ps = await new CompactSign(Buffer.from(con))
      .setProtectedHeader({ alg: 'PS256', kid: '41-/id-in/Cgw' })
      .sign(rsa.privateKey);
    expect((await codeOf(verifyCompact(ps, keyResolver([{ kid: '41-/id-in/Cgw', key: rsa.publicKey }]))))?.[0]).toBe(
      4102,
    );
    const cbc = await new FlattenedEncrypt(Buffer.from(con))
      .setProtectedHeader({ alg: 'A256KW', enc: 'A128CBC-HS256', kid: recipient.kid })
      .encrypt(kwKey);
    expect(await codeOf(decryptJson(cbc, decrypterKeys))).toEqual([4102, 'ERR_ESDATA_ALGORITHM']);
  });

  it('algorithm confusion: an HS256 token "signed" with the verifier\'s public key is refused', async () => {
    const pub = ec.publicKey.export({ format: 'pem', type: 'spki' });
    const forged = await new CompactSign(Buffer.from(con))
      .setProtectedHeader({ alg: 'HS256', kid: signer.kid })
      .sign(Buffer.from(pub));
    expect((await codeOf(verifyCompact(forged, verifierKeys)))?.[0]).toBe(4102);
  });

  it('an unknown kid, an altered payload, a short HMAC key', async () => {
    const jws = await signCompact(con, signer);
    expect(await codeOf(verifyCompact(jws, keyResolver([])))).toEqual([4102, 'ERR_ESDATA_UNKNOWN_KID']);
    const [h, , s] = jws.split('.');
    const altered = `${h}.${Buffer.from(JSON.stringify({ reading: 43 })).toString('base64url')}.${s}`;
    expect(await codeOf(verifyCompact(altered, verifierKeys))).toEqual([4102, 'ERR_ESDATA_SIGNATURE']);
    expect(await codeOf(signCompact(con, { kid: 'k', alg: 'HS256', key: randomBytes(16) }))).toEqual([
      4102,
      'ERR_ESDATA_KEY',
    ]);
  });

  it('a JWE whose ciphertext was altered: 4102 ERR_ESDATA_DECRYPTION; not JOSE at all: 4000', async () => {
    const jwe = await protectContent(con, { securityClass: 'encrypt', serialization: 1, recipients: [recipient] });
    const parts = jwe.split('.');
    parts[3] = parts[3]!.startsWith('A') ? `B${parts[3]!.slice(1)}` : `A${parts[3]!.slice(1)}`;
    expect(await codeOf(decryptCompact(parts.join('.'), decrypterKeys))).toEqual([4102, 'ERR_ESDATA_DECRYPTION']);
    expect(
      await codeOf(
        unprotectContent('not-jose', { securityClass: 'encrypt', serialization: 1, resolve: decrypterKeys }),
      ),
    ).toEqual([4000, 'ERR_ESDATA_FORMAT']);
    expect(
      await codeOf(unprotectContent('{', { securityClass: 'sign', serialization: 2, resolve: verifierKeys })),
    ).toEqual([4000, 'ERR_ESDATA_FORMAT']);
  });

  it('direct encryption only with a single key; HMAC not allowed inside Nested-Sign-then-Encrypt', async () => {
    const dir = { kid: 'd', alg: 'dir' as const, key: randomBytes(32) };
    expect((await codeOf(encryptJson(con, [dir, recipient], 'A256GCM')))?.[1]).toBe('ERR_ESDATA_ALGORITHM');
    const hs = { kid: '15-hmac@mef.example.com', alg: 'HS256' as const, key: hmacKey };
    expect(
      (
        await codeOf(
          protectContent(con, {
            securityClass: 'sign-then-encrypt',
            serialization: 1,
            signers: [hs],
            recipients: [recipient],
          }),
        )
      )?.[1],
    ).toBe('ERR_ESDATA_ALGORITHM');
  });

  it('an encrypt-only JWE is not accepted where sign-then-encrypt is required (signature stripped)', async () => {
    const enc = await protectContent(con, { securityClass: 'encrypt', serialization: 1, recipients: [recipient] });
    expect(
      await codeOf(
        unprotectContent(enc, { securityClass: 'sign-then-encrypt', serialization: 1, resolve: decrypterKeys }),
      ),
    ).toEqual([4000, 'ERR_ESDATA_FORMAT']);
  });
  it('XML ESData (contentSecurity 4, 5) is refused as an unoffered algorithm family, in both directions (4102)', async () => {
    for (const serialization of [4, 5]) {
      const refused = [4102, 'ERR_ESDATA_ALGORITHM'];
      expect(
        await codeOf(
          protectContent(con, { securityClass: 'encrypt', serialization, recipients: [recipient] } as never),
        ),
      ).toEqual(refused);
      expect(
        await codeOf(
          unprotectContent('<EncryptedData/>', {
            securityClass: 'encrypt',
            serialization,
            resolve: decrypterKeys,
          } as never),
        ),
      ).toEqual(refused);
    }
  });
});
