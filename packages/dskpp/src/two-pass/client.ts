// Two-pass client steps, key wrap profile (RFC 6063 sections 5.1.2, 5.2): the hello carries R_C,
// the AD MAC and the KeyName of K_SHARED; the answer's KeyContainer holds K_PROV = K_MAC || K_TOKEN
// wrapped under K_SHARED; the client unwraps it and checks MAC = DSKPP-PRF(K_MAC, "MAC 1 computation" || R_C, 16).
import { randomBytes } from 'node:crypto';
import { decodeResponse } from '../client/check-response.js';
import { CLIENT_DEFAULTS, type DskppClientCredentials } from '../client/options.js';
import { authenticationDataMac } from '../keys/authentication-data.js';
import { verifyKeyConfirmationMac } from '../keys/key-confirmation.js';
import { clientFailure, DskppError } from '../lib/errors.js';
import { aesKeyUnwrap } from '../lib/kw-aes.js';
import {
  ENC_KW_AES128,
  KEY_PACKAGE_PSKC,
  KEY_TYPE_LENGTHS,
  type KeyTypeUri,
  KPM_WRAP,
  type MacAlgorithmUri,
} from '../lib/uris.js';
import { encodeClientHello } from '../messages/encode.js';
import type { KeyPackage } from '../messages/types.js';

export interface TwoPassPending {
  clientNonce: Uint8Array;
  macAlgorithm: MacAlgorithmUri;
  keyTypes: readonly KeyTypeUri[];
}

function requireSharedKey(c: DskppClientCredentials): { name: string; key: Uint8Array } {
  if (!c.sharedKey) throw new TypeError('the two-pass key wrap profile needs K_SHARED (sharedKey)');
  return c.sharedKey;
}

export function twoPassHello(c: DskppClientCredentials): { helloXml: string; pending: TwoPassPending } {
  const sharedKey = requireSharedKey(c);
  const macs = c.macAlgorithms ?? CLIENT_DEFAULTS.macAlgorithms;
  const macAlgorithm = macs[0] as MacAlgorithmUri;
  const clientNonce = new Uint8Array(randomBytes(CLIENT_DEFAULTS.clientNonceLength));
  const keyTypes = c.keyTypes ?? CLIENT_DEFAULTS.keyTypes;
  const helloXml = encodeClientHello({
    device: c.device,
    clientNonce,
    supportedKeyTypes: [...keyTypes],
    supportedEncryptionAlgorithms: [ENC_KW_AES128],
    supportedMacAlgorithms: [...macs],
    protocolVariants: { fourPass: false, twoPass: [{ method: KPM_WRAP, keyName: sharedKey.name }] },
    supportedKeyPackages: [KEY_PACKAGE_PSKC],
    authenticationData: {
      clientId: c.clientId,
      macAlgorithm,
      mac: authenticationDataMac(macAlgorithm, c.authenticationCode, c.serverUrl, clientNonce),
    },
  });
  return { helloXml, pending: { clientNonce, macAlgorithm, keyTypes } };
}

export interface TwoPassOutcome {
  kToken: Uint8Array;
  keyPackage: KeyPackage;
  sessionId?: string;
}

export function twoPassFinish(c: DskppClientCredentials, pending: TwoPassPending, finishedXml: string): TwoPassOutcome {
  const sharedKey = requireSharedKey(c);
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
  if (fin.keyPackage.keyProtectionMethod !== undefined && fin.keyPackage.keyProtectionMethod !== KPM_WRAP) {
    throw clientFailure('KeyPackageInvalid', 'KeyPackage uses another key protection method');
  }
  if (!kc.encrypted || kc.encrypted.algorithm !== ENC_KW_AES128 || kc.encrypted.keyName !== sharedKey.name) {
    throw clientFailure(
      'KeyPackageInvalid',
      `KeyContainer must carry the key wrapped with ${ENC_KW_AES128} under ${sharedKey.name}`,
    );
  }
  const tokenLength = KEY_TYPE_LENGTHS[kc.algorithm as KeyTypeUri];
  let kProv: Uint8Array;
  try {
    kProv = aesKeyUnwrap(sharedKey.key, kc.encrypted.cipherValue, 'KeyContainer secret');
  } catch (e) {
    throw clientFailure('KeyPackageInvalid', e instanceof DskppError ? e.message : 'key unwrap failed');
  }
  if (kProv.length !== 2 * tokenLength) {
    kProv.fill(0);
    throw clientFailure('KeyPackageInvalid', 'unwrapped K_PROV has the wrong length for the key type');
  }
  const kMac = kProv.subarray(0, tokenLength);
  const ok = verifyKeyConfirmationMac(pending.macAlgorithm, kMac, fin.mac, pending.clientNonce);
  const kToken = kProv.slice(tokenLength);
  kProv.fill(0);
  if (!ok) {
    kToken.fill(0);
    throw clientFailure('KeyConfirmationFailed', 'key confirmation MAC did not verify, nothing stored');
  }
  return { kToken, keyPackage: fin.keyPackage, ...(fin.sessionId ? { sessionId: fin.sessionId } : {}) };
}
