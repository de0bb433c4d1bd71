// Four-pass, pass 1 -> 2 (RFC 6063 section 4.2.1 / 4.2.2): KeyProvClientHello is answered with
// KeyProvServerHello carrying R_S, the negotiated algorithms and the name of the pre-shared key
// K_SHARED the client must encrypt R_C with (or, in the public-key profile, the server certificate).
// The client is identified by DeviceIdentifierData.
import { randomBytes, randomUUID } from 'node:crypto';
import { DskppError } from '../lib/errors.js';
import { ENC_RSA_OAEP } from '../lib/uris.js';
import { encodeServerHello } from '../messages/encode.js';
import type { KeyProvClientHello } from '../messages/types.js';
import type { ServerContext } from '../server/context.js';
import type { Negotiated } from '../server/negotiate.js';
import { clientIdDigest, sealSessionState } from '../stateless/state-token.js';

export async function answerFourPassHello(
  ctx: ServerContext,
  hello: KeyProvClientHello,
  negotiated: Negotiated,
  helloXml: string,
): Promise<string> {
  if (!hello.device) throw new DskppError('AccessDenied', 'four-pass hello must carry DeviceIdentifierData/DeviceId');
  const client = await ctx.clients.byDevice(hello.device);
  if (!client) throw new DskppError('AccessDenied', 'device is not registered for provisioning');

  const serverNonce = new Uint8Array(randomBytes(ctx.serverNonceLength));
  const expiresAt = ctx.now() + ctx.sessionLifetimeMs;
  const answer = (sessionId: string) =>
    encodeServerHello({
      sessionId,
      keyType: negotiated.keyType,
      encryptionAlgorithm: negotiated.encryptionAlgorithm,
      macAlgorithm: negotiated.macAlgorithm,
      // Public-key profile: the certificate whose key encrypts R_C; otherwise the name of K_SHARED.
      ...(negotiated.encryptionAlgorithm === ENC_RSA_OAEP && ctx.publicKeyTransport
        ? { encryptionCertificate: ctx.publicKeyTransport.certificateDer }
        : { encryptionKeyName: client.sharedKey.name }),
      keyPackageFormat: negotiated.keyPackageFormat,
      serverNonce,
    });
  if (ctx.mode === 'stateless') {
    // Nothing is kept: the messages are not available at pass 4 (docs/dskpp.md section 1).
    return answer(
      sealSessionState(ctx.stateKeys[0] as NonNullable<(typeof ctx.stateKeys)[0]>, ctx.serverUrl, {
        expiresAt,
        keyType: negotiated.keyType,
        macAlgorithm: negotiated.macAlgorithm,
        encryptionAlgorithm: negotiated.encryptionAlgorithm,
        serverNonce,
        clientIdDigest: clientIdDigest(client.clientId),
      }),
    );
  }
  const sessionId = randomUUID();
  const serverHelloXml = answer(sessionId);
  // Kept with the session: the key confirmation MAC of pass 4 covers both messages (4.2.4, 3.4.3).
  await ctx.sessions.put({
    sessionId,
    clientId: client.clientId,
    serverNonce,
    keyType: negotiated.keyType,
    macAlgorithm: negotiated.macAlgorithm,
    encryptionAlgorithm: negotiated.encryptionAlgorithm,
    expiresAt,
    messages: [helloXml, serverHelloXml],
  });
  return serverHelloXml;
}
