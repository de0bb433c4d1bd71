// Four-pass client steps (RFC 6063 section 4.2), pre-shared-key variant: hello -> (R_S) ->
// EncryptedNonce = KW(K_SHARED, R_C) and AD -> derive K_TOKEN, check the key confirmation MAC.
// These steps hold raw key bytes and are internal; DskppClient stores K_TOKEN in the SE.
import { randomBytes } from 'node:crypto';
import { decodeResponse } from '../client/check-response.js';
import { CLIENT_DEFAULTS, type DskppClientCredentials } from '../client/options.js';
import { authenticationDataMac } from '../keys/authentication-data.js';
import { deriveFourPassKeys } from '../keys/four-pass-keys.js';
import { verifyKeyConfirmationMac } from '../keys/key-confirmation.js';
import { clientFailure } from '../lib/errors.js';
import { aesKeyWrap } from '../lib/kw-aes.js';
import {
  ENC_KW_AES128,
  KEY_PACKAGE_PSKC,
  KEY_TYPE_LENGTHS,
  type KeyTypeUri,
  type MacAlgorithmUri,
} from '../lib/uris.js';
import { encodeClientHello, encodeClientNego } from '../messages/encode.js';
import { NONCE_MAX, NONCE_MIN } from '../messages/schema.js';
import type { KeyPackage } from '../messages/types.js';

export function fourPassHello(c: DskppClientCredentials): string {
  return encodeClientHello({
    device: c.device,
    supportedKeyTypes: [...(c.keyTypes ?? CLIENT_DEFAULTS.keyTypes)],
    supportedEncryptionAlgorithms: [ENC_KW_AES128],
    supportedMacAlgorithms: [...(c.macAlgorithms ?? CLIENT_DEFAULTS.macAlgorithms)],
    protocolVariants: { fourPass: true },
    supportedKeyPackages: [KEY_PACKAGE_PSKC],
  });
}

export interface FourPassPending {
  sessionId: string;
  keyType: KeyTypeUri;
  macAlgorithm: MacAlgorithmUri;
  clientNonce: Uint8Array;
  serverNonce: Uint8Array;
}

export function fourPassNego(
  c: DskppClientCredentials,
  serverHelloXml: string,
): { negoXml: string; pending: FourPassPending } {
  const hello = decodeResponse(serverHelloXml, 'KeyProvServerHello');
  const keyTypes = c.keyTypes ?? CLIENT_DEFAULTS.keyTypes;
  const macs = c.macAlgorithms ?? CLIENT_DEFAULTS.macAlgorithms;
  if (!hello.sessionId || !hello.keyType || !hello.serverNonce) {
    throw clientFailure('MalformedResponse', 'KeyProvServerHello lacks SessionID, KeyType or R_S');
  }
  if (!(keyTypes as readonly string[]).includes(hello.keyType))
    throw clientFailure('UnexpectedResponse', 'server chose a key type not offered');
  if (hello.encryptionAlgorithm !== ENC_KW_AES128)
    throw clientFailure('UnexpectedResponse', 'server chose an encryption algorithm not offered');
  if (!(macs as readonly string[]).includes(hello.macAlgorithm ?? ''))
    throw clientFailure('UnexpectedResponse', 'server chose a MAC algorithm not offered');
  if (hello.keyPackageFormat !== KEY_PACKAGE_PSKC)
    throw clientFailure('UnexpectedResponse', 'server chose a key package format not offered');
  if (hello.encryptionKeyName !== c.sharedKey.name) {
    throw clientFailure('UnexpectedResponse', 'server named a pre-shared key this client does not hold');
  }
  if (hello.serverNonce.length < NONCE_MIN || hello.serverNonce.length > NONCE_MAX) {
    throw clientFailure('MalformedResponse', 'R_S has an unacceptable length');
  }
  const pending: FourPassPending = {
    sessionId: hello.sessionId,
    keyType: hello.keyType as KeyTypeUri,
    macAlgorithm: hello.macAlgorithm as MacAlgorithmUri,
    clientNonce: new Uint8Array(randomBytes(CLIENT_DEFAULTS.clientNonceLength)),
    serverNonce: hello.serverNonce,
  };
  const negoXml = encodeClientNego({
    sessionId: pending.sessionId,
    encryptedNonce: aesKeyWrap(c.sharedKey.key, pending.clientNonce),
    authenticationData: {
      clientId: c.clientId,
      macAlgorithm: pending.macAlgorithm,
      mac: authenticationDataMac(
        pending.macAlgorithm,
        c.authenticationCode,
        c.serverUrl,
        pending.clientNonce,
        pending.serverNonce,
      ),
    },
  });
  return { negoXml, pending };
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
  if (kc.encrypted) throw clientFailure('KeyPackageInvalid', 'a four-pass KeyContainer must not carry the key');
  const { kMac, kToken } = deriveFourPassKeys(
    pending.macAlgorithm,
    pending.clientNonce,
    c.sharedKey.key,
    pending.serverNonce,
    KEY_TYPE_LENGTHS[pending.keyType],
  );
  const ok = verifyKeyConfirmationMac(pending.macAlgorithm, kMac, fin.mac, pending.clientNonce, pending.serverNonce);
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
