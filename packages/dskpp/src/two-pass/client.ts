// Two-pass client steps, key wrap profile (RFC 6063 sections 5.1.2, 5.2): the hello carries R_C,
// the AD MAC and the KeyName of K_SHARED; the answer's KeyContainer holds K_PROV = K_MAC || K_TOKEN
// wrapped under K_SHARED; the client unwraps it and checks MAC = DSKPP-PRF(K_MAC, "MAC 1 computation" || R_C, 16).
import { constants, createPrivateKey, type KeyObject, privateDecrypt, randomBytes } from 'node:crypto';
import { decodeResponse } from '../client/check-response.js';
import { CLIENT_DEFAULTS, type DskppClientCredentials } from '../client/options.js';
import { AD_MIN_ITERATIONS, authenticationDataMac, publicKeyBytes } from '../keys/authentication-data.js';
import { messageHash, verifyKeyConfirmationMac } from '../keys/key-confirmation.js';
import { splitTwoPassKProv, twoPassHalfLength } from '../keys/two-pass-keys.js';
import { clientFailure, DskppError } from '../lib/errors.js';
import { aesKeyUnwrap } from '../lib/kw-aes.js';
import {
  ENC_KW_AES128,
  ENC_RSA_OAEP,
  KEY_PACKAGE_PSKC,
  type KeyTypeUri,
  KPM_TRANSPORT,
  KPM_WRAP,
  type MacAlgorithmUri,
} from '../lib/uris.js';
import { encodeClientHello } from '../messages/encode.js';
import type { KeyPackage } from '../messages/types.js';

/** 'wrap': K_PROV wrapped under K_SHARED (5.1.2). 'transport': RSA-OAEP to the device key (5.1.1). */
export type TwoPassProfile = 'wrap' | 'transport';

function requireTransportKey(c: DskppClientCredentials): { name: string; privateKey: KeyObject } {
  if (!c.transportKey) throw new TypeError('the two-pass key transport profile needs transportKey');
  const k = c.transportKey.privateKey;
  return { name: c.transportKey.name, privateKey: typeof k === 'string' ? createPrivateKey(k) : k };
}

export interface TwoPassPending {
  profile: TwoPassProfile;
  clientNonce: Uint8Array;
  macAlgorithm: MacAlgorithmUri;
  keyTypes: readonly KeyTypeUri[];
  /** msg_1 as sent: the key confirmation MAC covers it (5.2.2, 3.4.3). */
  helloXml: string;
}

function requireSharedKey(c: DskppClientCredentials): { name: string; key: Uint8Array } {
  if (!c.sharedKey) throw new TypeError('the two-pass key wrap profile needs K_SHARED (sharedKey)');
  return c.sharedKey;
}

export function twoPassHello(
  c: DskppClientCredentials,
  profile: TwoPassProfile = 'wrap',
): { helloXml: string; pending: TwoPassPending } {
  const offer =
    profile === 'transport'
      ? { method: KPM_TRANSPORT, keyName: requireTransportKey(c).name }
      : { method: KPM_WRAP, keyName: requireSharedKey(c).name };
  const macs = c.macAlgorithms ?? CLIENT_DEFAULTS.macAlgorithms;
  const macAlgorithm = macs[0] as MacAlgorithmUri;
  const clientNonce = new Uint8Array(randomBytes(CLIENT_DEFAULTS.clientNonceLength));
  const keyTypes = c.keyTypes ?? CLIENT_DEFAULTS.keyTypes;
  // 3.4.1.2 b: K is the client's public key (key transport, >= 100,000 iterations) or K_SHARED (key
  // wrap, exactly 1 iteration).
  const k = profile === 'transport' ? publicKeyBytes(requireTransportKey(c).privateKey) : requireSharedKey(c).key;
  const iterationCount = profile === 'transport' ? AD_MIN_ITERATIONS : 1;
  const helloXml = encodeClientHello({
    device: c.device,
    clientNonce,
    supportedKeyTypes: [...keyTypes],
    supportedEncryptionAlgorithms: [profile === 'transport' ? ENC_RSA_OAEP : ENC_KW_AES128],
    supportedMacAlgorithms: [...macs],
    protocolVariants: { fourPass: false, twoPass: [offer] },
    supportedKeyPackages: [KEY_PACKAGE_PSKC],
    authenticationData: {
      clientId: c.clientId,
      macAlgorithm,
      iterationCount,
      mac: authenticationDataMac(macAlgorithm, {
        password: c.authenticationCode,
        clientId: c.clientId,
        serverUrl: c.serverUrl,
        clientNonce,
        k,
        iterationCount,
      }),
    },
  });
  return { helloXml, pending: { profile, clientNonce, macAlgorithm, keyTypes, helloXml } };
}

export interface TwoPassOutcome {
  kToken: Uint8Array;
  keyPackage: KeyPackage;
  sessionId?: string;
}

export function twoPassFinish(c: DskppClientCredentials, pending: TwoPassPending, finishedXml: string): TwoPassOutcome {
  const fin = decodeResponse(finishedXml, 'KeyProvServerFinished');
  if (!fin.keyPackage || !fin.mac)
    throw clientFailure('MalformedResponse', 'KeyProvServerFinished lacks KeyPackage or Mac');
  if (fin.macAlgorithm !== undefined && fin.macAlgorithm !== pending.macAlgorithm) {
    throw clientFailure('UnexpectedResponse', 'Mac uses another algorithm than the AD');
  }
  const kc = fin.keyPackage.keyContainer;
  if (!(pending.keyTypes as readonly string[]).includes(kc.algorithm)) {
    throw clientFailure('KeyPackageInvalid', 'KeyContainer holds a key type that was not asked for');
  }
  const method = pending.profile === 'transport' ? KPM_TRANSPORT : KPM_WRAP;
  if (fin.keyPackage.keyProtectionMethod !== undefined && fin.keyPackage.keyProtectionMethod !== method) {
    throw clientFailure('KeyPackageInvalid', 'KeyPackage uses another key protection method');
  }
  const keyType = kc.algorithm as KeyTypeUri;
  const kProv = pending.profile === 'transport' ? decryptTransported(c, kc) : unwrapWrapped(c, kc);
  if (kProv.length !== 2 * twoPassHalfLength(keyType, pending.macAlgorithm)) {
    kProv.fill(0);
    throw clientFailure('KeyPackageInvalid', 'unwrapped K_PROV has the wrong length for the key type');
  }
  const { kMac, kToken } = splitTwoPassKProv(kProv, keyType, pending.macAlgorithm);
  // 5.2.2: MAC = DSKPP-PRF(K_MAC, "MAC 1 computation" || msg_hash || ServerID, 32), ServerID from the KeyPackage.
  const serverId = fin.keyPackage.serverId;
  const ok =
    serverId !== undefined &&
    verifyKeyConfirmationMac(pending.macAlgorithm, kMac, fin.mac, messageHash(pending.helloXml), serverId);
  kProv.fill(0);
  kMac.fill(0);
  if (!ok) {
    kToken.fill(0);
    throw clientFailure('KeyConfirmationFailed', 'key confirmation MAC did not verify, nothing stored');
  }
  return { kToken, keyPackage: fin.keyPackage, ...(fin.sessionId ? { sessionId: fin.sessionId } : {}) };
}

function unwrapWrapped(c: DskppClientCredentials, kc: KeyPackage['keyContainer']): Uint8Array {
  const sharedKey = requireSharedKey(c);
  if (!kc.encrypted || kc.encrypted.algorithm !== ENC_KW_AES128 || kc.encrypted.keyName !== sharedKey.name) {
    throw clientFailure(
      'KeyPackageInvalid',
      `KeyContainer must carry the key wrapped with ${ENC_KW_AES128} under ${sharedKey.name}`,
    );
  }
  try {
    return aesKeyUnwrap(sharedKey.key, kc.encrypted.cipherValue, 'KeyContainer secret');
  } catch (e) {
    throw clientFailure('KeyPackageInvalid', e instanceof DskppError ? e.message : 'key unwrap failed');
  }
}

/** Key transport: K_PROV was RSA-OAEP (SHA-1, MGF1-SHA-1) encrypted to the device's public key. */
function decryptTransported(c: DskppClientCredentials, kc: KeyPackage['keyContainer']): Uint8Array {
  const key = requireTransportKey(c);
  if (!kc.encrypted || kc.encrypted.algorithm !== ENC_RSA_OAEP || kc.encrypted.keyName !== key.name) {
    throw clientFailure(
      'KeyPackageInvalid',
      `KeyContainer must carry the key encrypted with ${ENC_RSA_OAEP} to ${key.name}`,
    );
  }
  try {
    return new Uint8Array(
      privateDecrypt(
        { key: key.privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' },
        kc.encrypted.cipherValue,
      ),
    );
  } catch {
    throw clientFailure('KeyPackageInvalid', 'the KeyContainer secret does not decrypt with the device key');
  }
}
