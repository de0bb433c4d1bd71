// AuthorizedPublicKey mode's MacCert: issue, parse, verify, binding to a certificate's key.
import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { TestCa } from '@m2msec/test-support';
import { describe, expect, it } from 'vitest';
import { issueMacCert, macCertMatchesCertificate, parseMacCert, verifyMacCert } from '../src/index.js';

const key = randomBytes(32);
const lookup = (ta: string) => (ta === 'ta1' ? key : undefined);

describe('MacCert', () => {
  it('verifies what the TA issued and refuses tampering, unknown TAs and wrong keys', () => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const mc = issueMacCert(key, { taId: 'ta1', sequenceNumber: 9n, publicKey });
    const v = verifyMacCert(mc, lookup);
    expect(v.taId).toBe('ta1');
    expect(v.sequenceNumber).toBe(9n);
    expect(v.publicKey).toEqual(publicKey.export({ format: 'der', type: 'spki' }));
    for (let i = 0; i < mc.length; i += 7) {
      const t = Buffer.from(mc);
      t[i] = t[i]! ^ 1;
      expect(() => verifyMacCert(t, lookup), `byte ${i}`).toThrow(/MacCert/);
    }
    expect(() => verifyMacCert(mc, () => randomBytes(32))).toThrow(/MAC does not verify/);
    expect(() => verifyMacCert(issueMacCert(key, { taId: 'ta9', sequenceNumber: 1n, publicKey }), lookup)).toThrow(
      /unknown TA/,
    );
    expect(() => parseMacCert(mc.subarray(0, 20))).toThrow(/malformed/);
  });

  it('matches the certificate whose key the TLS peer proved possession of', () => {
    const ca = new TestCa('maccert');
    const leaf = ca.issue({ san: 'URI:m2m://m2msec.org/id-in/Cmc' });
    const der = Buffer.from(leaf.cert.replace(/-----[^-]+-----|\s/g, ''), 'base64');
    const pub = createPublicKey(createPrivateKey(leaf.key));
    const mc = verifyMacCert(issueMacCert(key, { taId: 'ta1', sequenceNumber: 1n, publicKey: pub }), lookup);
    expect(macCertMatchesCertificate(mc, der)).toBe(true);
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
    const mc2 = verifyMacCert(issueMacCert(key, { taId: 'ta1', sequenceNumber: 2n, publicKey: other }), lookup);
    expect(macCertMatchesCertificate(mc2, der)).toBe(false);
  });
});
