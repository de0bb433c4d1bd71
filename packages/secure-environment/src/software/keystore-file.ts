import { createCipheriv, createDecipheriv, type KeyObject, randomBytes } from 'node:crypto';
import { seError } from '../errors.js';
import { zeroise } from '../lib/bytes.js';
import type { KeyHandle } from '../types.js';
import type { KekDerivation } from './kek.js';

/** Decrypted keystore content: key metadata with raw material (AES/HMAC bytes or EC PKCS#8 DER). */
export interface KeystoreContent {
  keys: { meta: KeyHandle; material: Buffer }[];
  credentials: { label: string; value: Buffer }[];
}

interface Header {
  format: 'm2msec-keystore';
  version: 1;
  kdf: KekDerivation;
  iv: string;
}

interface FileShape extends Header {
  ciphertext: string;
}

/** Additional authenticated data: the header, so a swapped KDF or IV is detected. */
function aad(h: Header): Buffer {
  return Buffer.from(JSON.stringify([h.format, h.version, h.kdf, h.iv]), 'utf8');
}

/**
 * Plaintext layout: u32 length of a JSON index, the index (metadata + offsets), then all key and
 * credential bytes. Secrets stay in one Buffer that is zeroised after encryption, never in strings.
 */
export function sealKeystore(content: KeystoreContent, kdf: KekDerivation, kek: KeyObject): Buffer {
  const blobs: Buffer[] = [];
  let offset = 0;
  const put = (b: Buffer) => {
    blobs.push(b);
    const at = offset;
    offset += b.byteLength;
    return [at, b.byteLength] as const;
  };
  const index = {
    keys: content.keys.map((k) => ({ meta: k.meta, at: put(k.material) })),
    credentials: content.credentials.map((c) => ({ label: c.label, at: put(c.value) })),
  };
  const indexBytes = Buffer.from(JSON.stringify(index), 'utf8');
  const len = Buffer.alloc(4);
  len.writeUInt32BE(indexBytes.byteLength);
  const plaintext = Buffer.concat([len, indexBytes, ...blobs]);
  const header: Header = { format: 'm2msec-keystore', version: 1, kdf, iv: randomBytes(12).toString('base64') };
  try {
    const cipher = createCipheriv('aes-256-gcm', kek, Buffer.from(header.iv, 'base64'));
    cipher.setAAD(aad(header));
    const ct = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
    const file: FileShape = { ...header, ciphertext: ct.toString('base64') };
    return Buffer.from(`${JSON.stringify(file)}\n`, 'utf8');
  } finally {
    zeroise(plaintext);
  }
}

export function readKeystoreHeader(file: Buffer): FileShape {
  let parsed: FileShape;
  try {
    parsed = JSON.parse(file.toString('utf8'));
  } catch {
    throw seError('KEYSTORE_UNREADABLE', 'keystore file is not valid JSON (damaged or not a keystore)');
  }
  if (
    parsed?.format !== 'm2msec-keystore' ||
    parsed.version !== 1 ||
    typeof parsed.ciphertext !== 'string' ||
    typeof parsed.iv !== 'string'
  ) {
    throw seError('KEYSTORE_UNREADABLE', 'keystore file has an unknown format or version');
  }
  return parsed;
}

export function openKeystore(file: FileShape, kek: KeyObject): KeystoreContent {
  const ct = Buffer.from(file.ciphertext, 'base64');
  if (ct.byteLength < 16) throw seError('KEYSTORE_UNREADABLE', 'keystore ciphertext is truncated');
  let plaintext: Buffer;
  try {
    const decipher = createDecipheriv('aes-256-gcm', kek, Buffer.from(file.iv, 'base64'));
    decipher.setAAD(aad(file));
    decipher.setAuthTag(ct.subarray(ct.byteLength - 16));
    plaintext = Buffer.concat([decipher.update(ct.subarray(0, ct.byteLength - 16)), decipher.final()]);
  } catch {
    throw seError(
      'AUTHENTICATION_FAILED',
      'keystore cannot be decrypted: wrong passphrase or key file, or the file was altered',
    );
  }
  try {
    const n = plaintext.readUInt32BE(0);
    const index = JSON.parse(plaintext.subarray(4, 4 + n).toString('utf8')) as {
      keys: { meta: KeyHandle; at: [number, number] }[];
      credentials: { label: string; at: [number, number] }[];
    };
    const base = 4 + n;
    const slice = ([at, len]: [number, number]) => Buffer.from(plaintext.subarray(base + at, base + at + len));
    return {
      keys: index.keys.map((k) => ({
        meta: Object.freeze({ ...k.meta, usages: Object.freeze([...k.meta.usages]) }),
        material: slice(k.at),
      })),
      credentials: index.credentials.map((c) => ({ label: c.label, value: slice(c.at) })),
    };
  } finally {
    zeroise(plaintext);
  }
}
