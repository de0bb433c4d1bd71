// parseCertificate refuses a malformed extension with EstError. Regression of a fuzz finding (fuzz/,
// certificate-der at 1M cases): an Extension SEQUENCE with fewer than two members made the parser read
// past its parts (a TypeError, not the EstError every caller handles).
import { describe, expect, it } from 'vitest';
import { EstError, parseCertificate } from '../src/index.js';

/** DER TLV with a short or long length. */
function tlv(tag: number, ...parts: Uint8Array[]): Uint8Array {
  const body = Buffer.concat(parts);
  const len =
    body.length < 0x80 ? Buffer.from([body.length]) : Buffer.from([0x82, body.length >> 8, body.length & 0xff]);
  return Buffer.concat([Buffer.from([tag]), len, body]);
}
const seq = (...p: Uint8Array[]) => tlv(0x30, ...p);
const oid = (...bytes: number[]) => tlv(0x06, Buffer.from(bytes));
const utc = (s: string) => tlv(0x17, Buffer.from(s, 'ascii'));

function certificate(extensions: Uint8Array[]): Uint8Array {
  const ecdsaSha256 = seq(oid(0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02));
  const name = seq();
  const tbs = seq(
    tlv(0xa0, tlv(0x02, Buffer.from([2]))),
    tlv(0x02, Buffer.from([1])),
    ecdsaSha256,
    name,
    seq(utc('260101000000Z'), utc('270101000000Z')),
    name,
    seq(seq(oid(0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01)), tlv(0x03, Buffer.from([0, 4]))),
    tlv(0xa3, seq(...extensions)),
  );
  return seq(tbs, ecdsaSha256, tlv(0x03, Buffer.from([0, 0])));
}

describe('parseCertificate', () => {
  const san = oid(0x55, 0x1d, 0x11);
  it('reads a well-formed extension', () => {
    const c = parseCertificate(certificate([seq(san, tlv(0x04, seq()))]));
    expect(c.extensions.get('2.5.29.17')?.critical).toBe(false);
  });

  it('refuses an extension with only its extnID, or with four members, as EstError', () => {
    for (const ext of [seq(san), seq(), seq(san, tlv(0x01, Buffer.from([0xff])), tlv(0x04), tlv(0x04))]) {
      let caught: unknown;
      try {
        parseCertificate(certificate([ext]));
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(EstError);
      expect((caught as Error).message).toMatch(/malformed extension|extension/);
    }
  });
});
