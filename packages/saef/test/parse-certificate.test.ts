// parseCertificate refuses with SaefError, never a bare asn1-schema error. Regression of a fuzz finding
// (fuzz/, harness certificate-der): a well-formed certificate whose subjectAltName extension holds a
// GeneralName of no known CHOICE threw "Data does not match to GeneralName ASN1 schema" past the refusal.

import { readFileSync } from 'node:fs';
import { TestCa } from '@m2msec/test-support';
import { describe, expect, it } from 'vitest';
import { parseCertificate, SaefError } from '../src/index.js';

const der = (pem: string) => Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
const SAN_OID = Buffer.from([0x06, 0x03, 0x55, 0x1d, 0x11]);

/** The certificate with its first SAN GeneralName re-tagged [9], which no GeneralName CHOICE has. */
function withBadSan(cert: Buffer): Buffer {
  const out = Buffer.from(cert);
  let i = out.indexOf(SAN_OID) + SAN_OID.length;
  if (out[i] === 0x01) i += 3; // critical BOOLEAN
  expect(out[i]).toBe(0x04); // extnValue OCTET STRING (short-form length)
  expect(out[i + 2]).toBe(0x30); // GeneralNames SEQUENCE
  out[i + 4] = 0xa9;
  return out;
}

describe('parseCertificate', () => {
  it('refuses a malformed subjectAltName extension with SaefError CERTIFICATE_PROFILE', () => {
    const ca = new TestCa('saef-parse');
    const ae = ca.issue({ san: 'URI:m2m://m2msec.org/id-in/Cabc' });
    const good = der(readFileSync(ae.certPath, 'utf8'));
    expect(parseCertificate(good).subjectAltNames.length).toBe(1);
    const bad = withBadSan(good);
    let caught: unknown;
    try {
      parseCertificate(bad);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(SaefError);
    expect((caught as SaefError).code).toBe('CERTIFICATE_PROFILE');
    expect((caught as Error).message).toMatch(/extension does not parse/);
  });
});
