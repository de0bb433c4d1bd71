// Stateless 4-pass profile: the SessionID of KeyProvServerHello is the session state, sealed with
// AES-256-GCM under a server key from configuration. Any server sharing that configuration can
// finish the run; the client just echoes SessionID in KeyProvClientNonce (unchanged RFC 6063 client).
//
// token  = base64url( version(1) | keyId(1) | iv(12) | ciphertext | tag(16) )          <= 128 chars
// plain  = expiresAt(4, unix s) | keyTypeIndex(1) | macIndex(1) | |R_S|(1) | R_S | H(ClientID)(16)
// AAD    = "m2msec DSKPP state v1" | version | keyId | server URL
// Binding: the AAD ties the token to this server URL (URL_S) and the sealing key; the plaintext
// ties it to R_S (hence to the AD MAC, which covers R_S), the negotiated algorithms, the client
// (SHA-256 of its ClientID, checked against the AD's ClientID) and an expiry.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { concatBytes, utf8 } from '../lib/bytes.js';
import { DskppError } from '../lib/errors.js';
import {
  ENC_KW_AES128,
  ENC_RSA_OAEP,
  type FourPassEncryptionUri,
  KEY_TYPE_AES128,
  KEY_TYPE_HMAC_SHA256,
  type KeyTypeUri,
  MAC_DSKPP_PRF_AES_128,
  MAC_DSKPP_PRF_SHA256,
  type MacAlgorithmUri,
} from '../lib/uris.js';

const VERSION = 1;
const AAD_LABEL = utf8('m2msec DSKPP state v1');
const KEY_TYPES: KeyTypeUri[] = [KEY_TYPE_AES128, KEY_TYPE_HMAC_SHA256];
const MACS: MacAlgorithmUri[] = [MAC_DSKPP_PRF_AES_128, MAC_DSKPP_PRF_SHA256];
// The encryption of R_C sits in the high nibble of the key-type octet: 0 (kw-aes128) keeps the
// tokens of the pre-shared-key profile unchanged; the public-key profile is bound into the token so
// a pass 3 cannot switch a run to the other profile.
const ENCRYPTIONS: FourPassEncryptionUri[] = [ENC_KW_AES128, ENC_RSA_OAEP];
/** R_S is at most 32 bytes in this profile so that the token fits the 128-character SessionID. */
export const STATELESS_MAX_NONCE = 32;

export interface StateKey {
  /** 0..255, written into the token so keys can be rotated (keep the old one for a lifetime). */
  id: number;
  /** 32-byte AES-256-GCM key. */
  key: Uint8Array;
}

export interface SessionState {
  expiresAt: number;
  keyType: KeyTypeUri;
  macAlgorithm: MacAlgorithmUri;
  /** How R_C is encrypted in pass 3. Default kw-aes128. */
  encryptionAlgorithm?: FourPassEncryptionUri;
  serverNonce: Uint8Array;
  clientIdDigest: Uint8Array;
}

export function clientIdDigest(clientId: string): Uint8Array {
  return createHash('sha256').update(utf8(clientId)).digest().subarray(0, 16);
}

function aad(keyId: number, serverUrl: string): Uint8Array {
  return concatBytes(AAD_LABEL, Uint8Array.of(VERSION, keyId), utf8(serverUrl));
}

export function checkStateKey(k: StateKey): void {
  if (!Number.isInteger(k.id) || k.id < 0 || k.id > 255) throw new TypeError('state key id must be 0..255');
  if (!(k.key instanceof Uint8Array) || k.key.length !== 32) throw new TypeError('state key must be 32 bytes');
}

export function sealSessionState(key: StateKey, serverUrl: string, s: SessionState): string {
  if (s.serverNonce.length > STATELESS_MAX_NONCE) throw new RangeError('R_S too long for a state token');
  const plain = Buffer.alloc(7 + s.serverNonce.length + 16);
  plain.writeUInt32BE(Math.ceil(s.expiresAt / 1000), 0);
  plain[4] = KEY_TYPES.indexOf(s.keyType) | (ENCRYPTIONS.indexOf(s.encryptionAlgorithm ?? ENC_KW_AES128) << 4);
  plain[5] = MACS.indexOf(s.macAlgorithm);
  plain[6] = s.serverNonce.length;
  plain.set(s.serverNonce, 7);
  plain.set(s.clientIdDigest, 7 + s.serverNonce.length);
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', key.key, iv);
  c.setAAD(aad(key.id, serverUrl));
  const body = Buffer.concat([c.update(plain), c.final(), c.getAuthTag()]);
  return Buffer.concat([Uint8Array.of(VERSION, key.id), iv, body]).toString('base64url');
}

/**
 * Opens a token. Anything that is not a token sealed by one of `keys` for this server URL is
 * UnknownRequest: the server knows no such session. Expiry is checked by the caller.
 */
export function openSessionState(keys: readonly StateKey[], serverUrl: string, token: string): SessionState {
  const unknown = () => new DskppError('UnknownRequest', 'SessionID is not a session of this server');
  if (!/^[A-Za-z0-9_-]{1,128}$/.test(token)) throw unknown();
  const raw = Buffer.from(token, 'base64url');
  if (raw.length < 2 + 12 + 7 + 16 + 16 || raw[0] !== VERSION) throw unknown();
  const key = keys.find((k) => k.id === raw[1]);
  if (!key) throw unknown();
  let plain: Buffer;
  try {
    const d = createDecipheriv('aes-256-gcm', key.key, raw.subarray(2, 14));
    d.setAAD(aad(key.id, serverUrl));
    d.setAuthTag(raw.subarray(raw.length - 16));
    plain = Buffer.concat([d.update(raw.subarray(14, raw.length - 16)), d.final()]);
  } catch {
    throw unknown();
  }
  const nonceLength = plain[6] as number;
  const keyType = KEY_TYPES[(plain[4] as number) & 0x0f];
  const encryptionAlgorithm = ENCRYPTIONS[(plain[4] as number) >> 4];
  const macAlgorithm = MACS[plain[5] as number];
  if (!keyType || !macAlgorithm || !encryptionAlgorithm || plain.length !== 7 + nonceLength + 16) throw unknown();
  return {
    expiresAt: plain.readUInt32BE(0) * 1000,
    keyType,
    macAlgorithm,
    encryptionAlgorithm,
    serverNonce: new Uint8Array(plain.subarray(7, 7 + nonceLength)),
    clientIdDigest: new Uint8Array(plain.subarray(7 + nonceLength)),
  };
}

/** Replay-guard key of a token: its digest, so the guard never holds the token itself. */
export function tokenReplayId(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}
