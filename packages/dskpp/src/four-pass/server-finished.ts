// Four-pass, pass 3 -> 4 (RFC 6063 sections 4.2.3 / 4.2.4): KeyProvClientNonce carries R_C wrapped
// under K_SHARED and the AD MAC; the server checks the session (stored, or sealed in the SessionID),
// the client, R_C and AD, marks the session used, derives K_TOKEN, stores it, and answers with the
// KeyContainer (metadata only: both ends derived the key) and the key confirmation MAC.
// Public-key profile (docs/dskpp.md): R_C arrives RSA-OAEP encrypted to the server certificate and is
// a key-encryption key; the server generates K_PROV = K_MAC || K_TOKEN and returns it wrapped under R_C.

import { randomBytes } from 'node:crypto';
import { constantTimeEqual } from '@m2msec/crypto';
import { clientViewOfKeyContainer } from '../confirmation/client-view.js';
import { adIterationRange, verifyAuthenticationDataMac } from '../keys/authentication-data.js';
import { deriveFourPassKeys } from '../keys/four-pass-keys.js';
import { keyConfirmationMac, messageHash } from '../keys/key-confirmation.js';
import { zeroize } from '../lib/bytes.js';
import { DskppError } from '../lib/errors.js';
import { aesKeyUnwrap, aesKeyWrap } from '../lib/kw-aes.js';
import {
  ENC_KW_AES128,
  ENC_RSA_OAEP,
  type FourPassEncryptionUri,
  KEY_NAME_CLIENT_NONCE,
  KEY_TYPE_LENGTHS,
  type KeyTypeUri,
  type MacAlgorithmUri,
} from '../lib/uris.js';
import { encodeServerFinished } from '../messages/encode.js';
import { NONCE_MAX, NONCE_MIN } from '../messages/schema.js';
import type { KeyProvClientNonce } from '../messages/types.js';
import { buildKeyContainer } from '../pskc/key-container.js';
import { decryptClientNonce } from '../public-key/decrypt-client-nonce.js';
import type { ServerContext } from '../server/context.js';
import { clientIdDigest, openSessionState, tokenReplayId } from '../stateless/state-token.js';

interface OpenSession {
  keyType: KeyTypeUri;
  macAlgorithm: MacAlgorithmUri;
  encryptionAlgorithm?: FourPassEncryptionUri;
  serverNonce: Uint8Array;
  expiresAt: number;
  /** msg_1, msg_2 (stateful only: a stateless server keeps none). */
  messages?: readonly [string, string];
  /** The session was opened for this client (checked in constant time for the stateless digest). */
  isFor(clientId: string): boolean;
  /** One-time use: false when the session already completed. */
  complete(): Promise<boolean>;
}

async function openSession(ctx: ServerContext, sessionId: string): Promise<OpenSession> {
  if (ctx.mode === 'stateless') {
    const s = openSessionState(ctx.stateKeys, ctx.serverUrl, sessionId);
    return {
      ...s,
      isFor: (clientId) => constantTimeEqual(clientIdDigest(clientId), s.clientIdDigest),
      complete: () => ctx.replayGuard.claim(`4p:${tokenReplayId(sessionId)}`, s.expiresAt),
    };
  }
  const entry = await ctx.sessions.get(sessionId);
  if (!entry) throw new DskppError('UnknownRequest', 'SessionID is not a session of this server');
  if (entry.completed) throw new DskppError('Abort', 'this session has already completed');
  const s = entry.session;
  return { ...s, isFor: (clientId) => clientId === s.clientId, complete: () => ctx.sessions.complete(sessionId) };
}

export async function answerClientNonce(
  ctx: ServerContext,
  nego: KeyProvClientNonce,
  negoXml: string,
): Promise<string> {
  const session = await openSession(ctx, nego.sessionId);
  if (ctx.now() > session.expiresAt) {
    throw new DskppError('ProvisioningPeriodExpired', 'the session expired before KeyProvClientNonce arrived');
  }
  const ad = nego.authenticationData;
  if (!ad?.clientId || !ad.mac) {
    throw new DskppError(
      'AuthenticationDataMissing',
      'KeyProvClientNonce must carry ClientID and AuthenticationCodeMac',
    );
  }
  if (ad.macAlgorithm !== undefined && ad.macAlgorithm !== session.macAlgorithm) {
    throw new DskppError(
      'AuthenticationDataInvalid',
      'AuthenticationCodeMac uses another MAC algorithm than negotiated',
    );
  }
  const client = await ctx.clients.byClientId(ad.clientId);
  if (!client) throw new DskppError('AuthenticationDataInvalid', 'authentication data did not verify');
  if (!session.isFor(client.clientId))
    throw new DskppError('AccessDenied', 'the session was opened for another client');

  const publicKey = (session.encryptionAlgorithm ?? ENC_KW_AES128) === ENC_RSA_OAEP;
  if (publicKey && !ctx.publicKeyTransport) {
    throw new DskppError('InitializationFailed', 'this server holds no key for the public-key profile');
  }
  const clientNonce =
    publicKey && ctx.publicKeyTransport
      ? decryptClientNonce(ctx.publicKeyTransport.privateKey, nego.encryptedNonce)
      : aesKeyUnwrap(client.sharedKey.key, nego.encryptedNonce, 'EncryptedNonce');
  try {
    if (clientNonce.length < NONCE_MIN || clientNonce.length > NONCE_MAX) {
      throw new DskppError('MalformedRequest', `R_C must be ${NONCE_MIN}..${NONCE_MAX} bytes`);
    }
    const adOk = verifyAuthenticationDataMac(
      session.macAlgorithm,
      {
        password: client.authenticationCode,
        clientId: ad.clientId,
        serverUrl: ctx.serverUrl,
        clientNonce,
        serverNonce: session.serverNonce,
        // 3.4.1.2 a: K is the key R_C was encrypted with (K_SERVER or K_SHARED).
        k: publicKey && ctx.publicKeyTransport ? ctx.publicKeyTransport.publicKeyBytes : client.sharedKey.key,
        iterationCount: ad.iterationCount,
      },
      adIterationRange(false),
      ad.mac,
    );
    if (!adOk) throw new DskppError('AuthenticationDataInvalid', 'authentication data did not verify');
    if (!(await session.complete())) throw new DskppError('Abort', 'this session has already completed');

    const tokenLength = KEY_TYPE_LENGTHS[session.keyType];
    // Pre-shared key: both ends derive K_PROV. Public key: the server generates it (as in 2-pass).
    const kProv = publicKey ? new Uint8Array(randomBytes(2 * tokenLength)) : undefined;
    const { kMac, kToken } = kProv
      ? { kMac: kProv.slice(0, tokenLength), kToken: kProv.slice(tokenLength) }
      : deriveFourPassKeys(session.macAlgorithm, clientNonce, client.sharedKey.key, session.serverNonce, tokenLength);
    try {
      const now = ctx.now();
      const keyId = ctx.newKeyId();
      const container = {
        keyId,
        algorithm: session.keyType,
        issuer: ctx.serverId,
        notBefore: now,
        notAfter: now + ctx.keyLifetimeMs,
        usages: ctx.keyUsages,
        ...(kProv
          ? {
              encrypted: {
                keyName: KEY_NAME_CLIENT_NONCE,
                algorithm: ENC_KW_AES128,
                cipherValue: aesKeyWrap(clientNonce, kProv),
              },
            }
          : {}),
        ...(client.device ? { device: client.device } : {}),
      };
      const finished = encodeServerFinished({
        sessionId: nego.sessionId,
        serverId: ctx.serverId,
        keyContainerXml: buildKeyContainer(container),
        // 4.2.4: msg_hash over the three messages of the run; a stateless server has only the third.
        mac: keyConfirmationMac(
          session.macAlgorithm,
          kMac,
          session.messages ? messageHash(...session.messages, negoXml) : messageHash(negoXml),
        ),
        macAlgorithm: session.macAlgorithm,
      });
      // Saved before the answer leaves (commit before you answer).
      await ctx.keys.save({
        keyId,
        clientId: client.clientId,
        keyType: session.keyType,
        variant: 'four-pass',
        sessionId: nego.sessionId,
        notBefore: container.notBefore,
        notAfter: container.notAfter,
        secret: kToken,
        ...(ctx.keys.find ? { keyContainerXml: clientViewOfKeyContainer(finished) } : {}),
        ...(client.device ? { device: client.device } : {}),
      });
      return finished;
    } finally {
      zeroize(kMac, kToken);
      if (kProv) zeroize(kProv);
    }
  } finally {
    zeroize(clientNonce);
  }
}
