// AuthorizedPublicKey mode: a MacCert binds a client's public key to a TA and a sequence number with
// a MAC under K_RS-TA, so a resource server that holds only K_RS-TA can trust the key.
//   MacCert = version(1)=1 | len(TA_id)(1) | TA_id | seq (8 bytes, big-endian) | len(SPKI)(2) | SPKI DER | MAC(32)
//   MAC     = HMAC-SHA-256(K_RS-TA, "m2msec-MacCert" 0x00 || every preceding byte)
// Node's TLS stack (OpenSSL 3.0) has no RFC 7250 raw public keys and no hook to carry a custom
// credential in the handshake, so the MacCert travels beside it: the client authenticates with a
// self-signed certificate for the same key (proof of possession by the TLS CertificateVerify), and
// the server checks the MacCert against that certificate's key (macCertMatchesCertificate).
import { createHmac, createPublicKey, type KeyObject, X509Certificate } from 'node:crypto';
import { constantTimeEqual, MAX_SEQUENCE_NUMBER } from '@m2msec/crypto';
import { SaefError } from '../lib/errors.js';

const LABEL = Buffer.from('m2msec-MacCert\0', 'utf8');
const MAC_LENGTH = 32;

export interface MacCert {
  taId: string;
  sequenceNumber: bigint;
  /** SubjectPublicKeyInfo DER. */
  publicKey: Buffer;
}

function body(c: MacCert): Buffer {
  const ta = Buffer.from(c.taId, 'utf8');
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(c.taId)) throw new SaefError('INVALID_INPUT', 'TA_id malformed');
  if (c.sequenceNumber < 0n || c.sequenceNumber > MAX_SEQUENCE_NUMBER) {
    throw new SaefError('INVALID_INPUT', 'sequence number out of range');
  }
  if (c.publicKey.length === 0 || c.publicKey.length > 0xffff) throw new SaefError('INVALID_INPUT', 'SPKI size');
  const seq = Buffer.alloc(8);
  seq.writeBigUInt64BE(c.sequenceNumber);
  const len = Buffer.alloc(2);
  len.writeUInt16BE(c.publicKey.length);
  return Buffer.concat([Buffer.from([1, ta.length]), ta, seq, len, c.publicKey]);
}

function mac(kRsTa: Uint8Array, b: Buffer): Buffer {
  return createHmac('sha256', kRsTa).update(LABEL).update(b).digest();
}

function spkiOf(key: KeyObject | Uint8Array): Buffer {
  if (key instanceof Uint8Array) {
    createPublicKey({ key: Buffer.from(key), format: 'der', type: 'spki' }); // must parse
    return Buffer.from(key);
  }
  return key.export({ format: 'der', type: 'spki' });
}

export function issueMacCert(
  kRsTa: Uint8Array,
  p: { taId: string; sequenceNumber: bigint; publicKey: KeyObject | Uint8Array },
): Buffer {
  const b = body({ taId: p.taId, sequenceNumber: p.sequenceNumber, publicKey: spkiOf(p.publicKey) });
  return Buffer.concat([b, mac(kRsTa, b)]);
}

export function parseMacCert(bytes: Uint8Array): MacCert & { signed: Buffer; mac: Buffer } {
  const b = Buffer.from(bytes);
  const bad = (why: string): never => {
    throw new SaefError('MAC_CERT_FORMAT', `MacCert malformed: ${why}`);
  };
  if (b.length < 2 + 1 + 8 + 2 + 1 + MAC_LENGTH) bad('too short');
  if (b[0] !== 1) bad(`unknown version ${b[0]}`);
  const taLen = b[1]!;
  let off = 2;
  const taId = b.subarray(off, off + taLen).toString('utf8');
  off += taLen;
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(taId)) bad('TA_id malformed');
  if (b.length < off + 10) bad('truncated');
  const sequenceNumber = b.readBigUInt64BE(off);
  off += 8;
  const keyLen = b.readUInt16BE(off);
  off += 2;
  if (b.length !== off + keyLen + MAC_LENGTH) bad('length fields do not add up');
  const publicKey = Buffer.from(b.subarray(off, off + keyLen));
  try {
    createPublicKey({ key: publicKey, format: 'der', type: 'spki' });
  } catch {
    bad('public key is not a SubjectPublicKeyInfo');
  }
  return {
    taId,
    sequenceNumber,
    publicKey,
    signed: Buffer.from(b.subarray(0, off + keyLen)),
    mac: Buffer.from(b.subarray(off + keyLen)),
  };
}

/** Parses and verifies the MAC under the key the TA lookup gives (undefined: unknown TA, refused). */
export function verifyMacCert(bytes: Uint8Array, trustAnchorKey: (taId: string) => Uint8Array | undefined): MacCert {
  const c = parseMacCert(bytes);
  const key = trustAnchorKey(c.taId);
  if (!key) throw new SaefError('MAC_CERT_INVALID', `MacCert names an unknown TA '${c.taId}'`);
  if (!constantTimeEqual(mac(key, c.signed), c.mac))
    throw new SaefError('MAC_CERT_INVALID', 'MacCert MAC does not verify');
  return { taId: c.taId, sequenceNumber: c.sequenceNumber, publicKey: c.publicKey };
}

/** True when the certificate (DER) the TLS peer proved possession for carries the MacCert's key. */
export function macCertMatchesCertificate(cert: MacCert, certificateDer: Uint8Array): boolean {
  const spki = new X509Certificate(certificateDer).publicKey.export({ format: 'der', type: 'spki' });
  return constantTimeEqual(spki, cert.publicKey);
}
