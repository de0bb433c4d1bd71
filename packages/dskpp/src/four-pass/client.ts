// Four-pass client steps (RFC 6063 section 4.2), pre-shared-key variant: hello -> (R_S) ->
// EncryptedNonce = KW(K_SHARED, R_C) and AD -> derive K_TOKEN, check the key confirmation MAC.
// Public-key profile (docs/dskpp.md): the client verifies the server certificate from the hello,
// sends R_C (a key-encryption key) RSA-OAEP encrypted to it, and unwraps the server-generated K_PROV.
// These steps hold raw key bytes and are internal; DskppClient stores K_TOKEN in the SE.
import { randomBytes } from 'node:crypto';
import { decodeResponse } from '../client/check-response.js';
import { CLIENT_DEFAULTS, type DskppClientCredentials } from '../client/options.js';
import { AD_MIN_ITERATIONS, authenticationDataMac, publicKeyBytes } from '../keys/authentication-data.js';
import { deriveFourPassKeys } from '../keys/four-pass-keys.js';
import { messageHash, verifyKeyConfirmationMac } from '../keys/key-confirmation.js';
import { clientFailure, DskppError } from '../lib/errors.js';
import { aesKeyUnwrap, aesKeyWrap } from '../lib/kw-aes.js';
import {
  ENC_KW_AES128,
  ENC_RSA_OAEP,
  KEY_NAME_CLIENT_NONCE,
  KEY_PACKAGE_PSKC,
  KEY_TYPE_LENGTHS,
  type KeyTypeUri,
  type MacAlgorithmUri,
} from '../lib/uris.js';
import { encodeClientHello, encodeClientNonce } from '../messages/encode.js';
import { NONCE_MAX, NONCE_MIN } from '../messages/schema.js';
import type { KeyPackage } from '../messages/types.js';
import { encryptClientNonce } from '../public-key/encrypt-client-nonce.js';
import { verifyServerCertificate } from '../public-key/verify-server-certificate.js';

/** 'shared-key': R_C wrapped under K_SHARED, mutual key generation. 'public-key': the profile above. */
export type FourPassProfile = 'shared-key' | 'public-key';

export function fourPassHello(c: DskppClientCredentials, profile: FourPassProfile = 'shared-key'): string {
  return encodeClientHello({
    device: c.device,
    supportedKeyTypes: [...(c.keyTypes ?? CLIENT_DEFAULTS.keyTypes)],
    // Only the profile asked for is offered, so the server cannot switch the client to the other one.
    supportedEncryptionAlgorithms: [profile === 'public-key' ? ENC_RSA_OAEP : ENC_KW_AES128],
    supportedMacAlgorithms: [...(c.macAlgorithms ?? CLIENT_DEFAULTS.macAlgorithms)],
    protocolVariants: { fourPass: true },
    supportedKeyPackages: [KEY_PACKAGE_PSKC],
  });
}

export interface FourPassPending {
  sessionId: string;
  keyType: KeyTypeUri;
  macAlgorithm: MacAlgorithmUri;
  profile: FourPassProfile;
  clientNonce: Uint8Array;
  serverNonce: Uint8Array;
  /** msg_1, msg_2, msg_3 as sent and received (3.4.3: the key confirmation MAC covers them). */
  messages: readonly [string, string, string];
}

function sharedKeyOf(c: DskppClientCredentials): { name: string; key: Uint8Array } {
  if (!c.sharedKey) throw new TypeError('the pre-shared-key 4-pass needs K_SHARED (sharedKey)');
  return c.sharedKey;
}

export function fourPassNego(
  c: DskppClientCredentials,
  serverHelloXml: string,
  profile: FourPassProfile,
  clientHelloXml: string,
): { negoXml: string; pending: FourPassPending } {
  const hello = decodeResponse(serverHelloXml, 'KeyProvServerHello');
  const keyTypes = c.keyTypes ?? CLIENT_DEFAULTS.keyTypes;
  const macs = c.macAlgorithms ?? CLIENT_DEFAULTS.macAlgorithms;
  if (!hello.sessionId || !hello.keyType || !hello.serverNonce) {
    throw clientFailure('MalformedResponse', 'KeyProvServerHello lacks SessionID, KeyType or R_S');
  }
  if (!(keyTypes as readonly string[]).includes(hello.keyType))
    throw clientFailure('UnexpectedResponse', 'server chose a key type not offered');
  if (hello.encryptionAlgorithm !== (profile === 'public-key' ? ENC_RSA_OAEP : ENC_KW_AES128))
    throw clientFailure('UnexpectedResponse', 'server chose an encryption algorithm not offered');
  if (!(macs as readonly string[]).includes(hello.macAlgorithm ?? ''))
    throw clientFailure('UnexpectedResponse', 'server chose a MAC algorithm not offered');
  if (hello.keyPackageFormat !== KEY_PACKAGE_PSKC)
    throw clientFailure('UnexpectedResponse', 'server chose a key package format not offered');
  // Public key: the certificate is checked before anything is encrypted to it.
  const serverKey =
    profile === 'public-key' ? verifyServerCertificate(hello.encryptionCertificate, requireTrust(c)) : undefined;
  if (!serverKey && hello.encryptionKeyName !== sharedKeyOf(c).name) {
    throw clientFailure('UnexpectedResponse', 'server named a pre-shared key this client does not hold');
  }
  if (hello.serverNonce.length < NONCE_MIN || hello.serverNonce.length > NONCE_MAX) {
    throw clientFailure('MalformedResponse', 'R_S has an unacceptable length');
  }
  const sessionId = hello.sessionId;
  const macAlgorithm = hello.macAlgorithm as MacAlgorithmUri;
  const clientNonce = new Uint8Array(randomBytes(CLIENT_DEFAULTS.clientNonceLength));
  const serverNonce = hello.serverNonce;
  const pending = { sessionId, macAlgorithm, clientNonce, serverNonce };
  const negoXml = encodeClientNonce({
    sessionId: pending.sessionId,
    encryptedNonce: serverKey
      ? encryptClientNonce(serverKey, pending.clientNonce)
      : aesKeyWrap(sharedKeyOf(c).key, pending.clientNonce),
    authenticationData: {
      clientId: c.clientId,
      macAlgorithm: pending.macAlgorithm,
      iterationCount: AD_MIN_ITERATIONS,
      // 3.4.1.2: K is K_SERVER (public-key profile) or K_SHARED.
      mac: authenticationDataMac(pending.macAlgorithm, {
        password: c.authenticationCode,
        clientId: c.clientId,
        serverUrl: c.serverUrl,
        clientNonce: pending.clientNonce,
        serverNonce: pending.serverNonce,
        k: serverKey ? publicKeyBytes(serverKey) : sharedKeyOf(c).key,
        iterationCount: AD_MIN_ITERATIONS,
      }),
    },
  });
  return {
    negoXml,
    pending: {
      ...pending,
      keyType: hello.keyType as KeyTypeUri,
      profile,
      messages: [clientHelloXml, serverHelloXml, negoXml],
    },
  };
}

export interface FourPassOutcome {
  kToken: Uint8Array;
  keyPackage: KeyPackage;
  sessionId: string;
}

export function fourPassFinish(
  c: DskppClientCredentials,
  pending: FourPassPending,
  finishedXml: string,
): FourPassOutcome {
  const fin = decodeResponse(finishedXml, 'KeyProvServerFinished');
  if (fin.sessionId !== pending.sessionId)
    throw clientFailure('UnexpectedResponse', 'KeyProvServerFinished is for another session');
  if (!fin.keyPackage || !fin.mac)
    throw clientFailure('MalformedResponse', 'KeyProvServerFinished lacks KeyPackage or Mac');
  if (fin.macAlgorithm !== undefined && fin.macAlgorithm !== pending.macAlgorithm) {
    throw clientFailure('UnexpectedResponse', 'Mac uses another algorithm than negotiated');
  }
  const kc = fin.keyPackage.keyContainer;
  if (kc.algorithm !== pending.keyType)
    throw clientFailure('KeyPackageInvalid', 'KeyContainer key algorithm differs from KeyType');
  const { kMac, kToken } =
    pending.profile === 'public-key'
      ? unwrapServerKey(pending, fin.keyPackage)
      : sharedKeyDerivation(c, pending, fin.keyPackage);
  // 4.2.4: msg_hash over KeyProvClientHello, KeyProvServerHello, KeyProvClientNonce. A stateless
  // server has only KeyProvClientNonce (docs/dskpp.md section 1): that form is accepted too (both need
  // K_MAC, so neither can be made without the key).
  const [m1, m2, m3] = pending.messages;
  const ok =
    verifyKeyConfirmationMac(pending.macAlgorithm, kMac, fin.mac, messageHash(m1, m2, m3)) ||
    verifyKeyConfirmationMac(pending.macAlgorithm, kMac, fin.mac, messageHash(m3));
  kMac.fill(0);
  pending.clientNonce.fill(0);
  if (!ok) {
    kToken.fill(0);
    throw clientFailure(
      'KeyConfirmationFailed',
      'key confirmation MAC did not verify: the keys differ, nothing stored',
    );
  }
  return { kToken, keyPackage: fin.keyPackage, sessionId: pending.sessionId };
}

function requireTrust(c: DskppClientCredentials) {
  if (!c.serverTrust) throw new TypeError('the public-key 4-pass needs serverTrust (trust anchors and server name)');
  return c.serverTrust;
}

function sharedKeyDerivation(c: DskppClientCredentials, pending: FourPassPending, keyPackage: KeyPackage) {
  if (keyPackage.keyContainer.encrypted) {
    throw clientFailure('KeyPackageInvalid', 'a four-pass KeyContainer must not carry the key');
  }
  return deriveFourPassKeys(
    pending.macAlgorithm,
    pending.clientNonce,
    sharedKeyOf(c).key,
    pending.serverNonce,
    KEY_TYPE_LENGTHS[pending.keyType],
  );
}

/** Public-key profile: K_PROV = K_MAC || K_TOKEN arrives wrapped under R_C (kw-aes128). */
function unwrapServerKey(pending: FourPassPending, keyPackage: KeyPackage) {
  const enc = keyPackage.keyContainer.encrypted;
  if (!enc || enc.algorithm !== ENC_KW_AES128 || enc.keyName !== KEY_NAME_CLIENT_NONCE) {
    throw clientFailure(
      'KeyPackageInvalid',
      `KeyContainer must carry the key wrapped with ${ENC_KW_AES128} under ${KEY_NAME_CLIENT_NONCE}`,
    );
  }
  const tokenLength = KEY_TYPE_LENGTHS[pending.keyType];
  let kProv: Uint8Array;
  try {
    kProv = aesKeyUnwrap(pending.clientNonce, enc.cipherValue, 'KeyContainer secret');
  } catch (e) {
    throw clientFailure('KeyPackageInvalid', e instanceof DskppError ? e.message : 'key unwrap failed');
  }
  if (kProv.length !== 2 * tokenLength) {
    kProv.fill(0);
    throw clientFailure('KeyPackageInvalid', 'unwrapped K_PROV has the wrong length for the key type');
  }
  const keys = { kMac: kProv.slice(0, tokenLength), kToken: kProv.slice(tokenLength) };
  kProv.fill(0);
  return keys;
}
