// Four-pass, pass 3 -> 4 (RFC 6063 sections 4.2.3 / 4.2.4): KeyProvClientNego carries R_C wrapped
// under K_SHARED and the AD MAC; the server checks the session (stored, or sealed in the SessionID),
// the client, R_C and AD, marks the session used, derives K_TOKEN, stores it, and answers with the
// KeyContainer (metadata only: both ends derived the key) and the key confirmation MAC.
import { constantTimeEqual } from '@m2msec/crypto';
import { verifyAuthenticationDataMac } from '../keys/authentication-data.js';
import { deriveFourPassKeys } from '../keys/four-pass-keys.js';
import { keyConfirmationMac } from '../keys/key-confirmation.js';
import { zeroize } from '../lib/bytes.js';
import { DskppError } from '../lib/errors.js';
import { aesKeyUnwrap } from '../lib/kw-aes.js';
import { KEY_TYPE_LENGTHS, type KeyTypeUri, type MacAlgorithmUri } from '../lib/uris.js';
import { encodeServerFinished } from '../messages/encode.js';
import { NONCE_MAX, NONCE_MIN } from '../messages/schema.js';
import type { KeyProvClientNego } from '../messages/types.js';
import { buildKeyContainer } from '../pskc/key-container.js';
import type { ServerContext } from '../server/context.js';
import { clientIdDigest, openSessionState, tokenReplayId } from '../stateless/state-token.js';

interface OpenSession {
  keyType: KeyTypeUri;
  macAlgorithm: MacAlgorithmUri;
  serverNonce: Uint8Array;
  expiresAt: number;
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

export async function answerClientNego(ctx: ServerContext, nego: KeyProvClientNego): Promise<string> {
  const session = await openSession(ctx, nego.sessionId);
  if (ctx.now() > session.expiresAt) {
    throw new DskppError('ProvisioningPeriodExpired', 'the session expired before KeyProvClientNego arrived');
  }
  const ad = nego.authenticationData;
  if (!ad?.clientId || !ad.mac) {
    throw new DskppError(
      'AuthenticationDataMissing',
      'KeyProvClientNego must carry ClientID and AuthenticationCodeMac',
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

  const clientNonce = aesKeyUnwrap(client.sharedKey.key, nego.encryptedNonce, 'EncryptedNonce');
  try {
    if (clientNonce.length < NONCE_MIN || clientNonce.length > NONCE_MAX) {
      throw new DskppError('MalformedRequest', `R_C must be ${NONCE_MIN}..${NONCE_MAX} bytes`);
    }
    const adOk = verifyAuthenticationDataMac(
      session.macAlgorithm,
      client.authenticationCode,
      ctx.serverUrl,
      ad.mac,
      clientNonce,
      session.serverNonce,
    );
    if (!adOk) throw new DskppError('AuthenticationDataInvalid', 'authentication data did not verify');
    if (!(await session.complete())) throw new DskppError('Abort', 'this session has already completed');

    const { kMac, kToken } = deriveFourPassKeys(
      session.macAlgorithm,
      clientNonce,
      client.sharedKey.key,
      session.serverNonce,
      KEY_TYPE_LENGTHS[session.keyType],
    );
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
        ...(client.device ? { device: client.device } : {}),
      };
      await ctx.keys.save({
        keyId,
        clientId: client.clientId,
        keyType: session.keyType,
        variant: 'four-pass',
        sessionId: nego.sessionId,
        notBefore: container.notBefore,
        notAfter: container.notAfter,
        secret: kToken,
        ...(client.device ? { device: client.device } : {}),
      });
      return encodeServerFinished({
        sessionId: nego.sessionId,
        serverId: ctx.serverId,
        keyContainerXml: buildKeyContainer(container),
        mac: keyConfirmationMac(session.macAlgorithm, kMac, clientNonce, session.serverNonce),
        macAlgorithm: session.macAlgorithm,
      });
    } finally {
      zeroize(kMac, kToken);
    }
  } finally {
    zeroize(clientNonce);
  }
}
