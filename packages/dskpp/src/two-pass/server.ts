// Two-pass, key wrap profile (RFC 6063 sections 5.1.2, 5.2) and key transport profile (5.1.1: K_PROV
// RSA-OAEP encrypted to the device's registered public key instead of wrapped under K_SHARED): KeyProvClientHello carries R_C, the
// AD MAC and the KeyName of K_SHARED; the server generates K_PROV = K_MAC || K_TOKEN, wraps it under
// K_SHARED with kw-aes128 inside the PSKC KeyContainer, stores K_TOKEN and answers with
// KeyProvServerFinished and MAC = DSKPP-PRF(K_MAC, "MAC 1 computation" || R_C, 16).
import { constants, createHash, createPublicKey, publicEncrypt, randomBytes, randomUUID } from 'node:crypto';
import { clientViewOfKeyContainer } from '../confirmation/client-view.js';
import { adIterationRange, publicKeyBytes, verifyAuthenticationDataMac } from '../keys/authentication-data.js';
import { keyConfirmationMac, messageHash } from '../keys/key-confirmation.js';
import { splitTwoPassKProv, twoPassHalfLength } from '../keys/two-pass-keys.js';
import { concatBytes, utf8, zeroize } from '../lib/bytes.js';
import { DskppError } from '../lib/errors.js';
import { aesKeyWrap } from '../lib/kw-aes.js';
import { ENC_KW_AES128, ENC_RSA_OAEP, KPM_TRANSPORT, KPM_WRAP } from '../lib/uris.js';
import { encodeServerFinished } from '../messages/encode.js';
import type { KeyProvClientHello } from '../messages/types.js';
import { isMacAlgorithm } from '../prf/dskpp-prf.js';
import { buildKeyContainer } from '../pskc/key-container.js';
import type { ServerContext } from '../server/context.js';
import type { Negotiated } from '../server/negotiate.js';
import { sameDevice } from '../server/registry.js';

/** RSA-OAEP (rsa-oaep-mgf1p) of K_PROV to the device's registered key. */
function encryptToDevice(publicKey: string | Uint8Array, kProv: Uint8Array): Uint8Array {
  const key =
    typeof publicKey === 'string'
      ? createPublicKey(publicKey)
      : createPublicKey({ key: Buffer.from(publicKey), format: 'der', type: 'spki' });
  return new Uint8Array(publicEncrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' }, kProv));
}

export async function answerTwoPassHello(
  ctx: ServerContext,
  hello: KeyProvClientHello,
  negotiated: Negotiated,
  helloXml: string,
): Promise<string> {
  const clientNonce = hello.clientNonce as Uint8Array;
  // The client's first offer of a profile this server does, with the KeyName of its key.
  const offer = hello.protocolVariants?.twoPass?.find(
    (o) => (o.method === KPM_WRAP || o.method === KPM_TRANSPORT) && o.keyName !== undefined,
  );
  if (!offer) {
    throw new DskppError(
      'NoProtocolVariants',
      'only the key wrap and key transport profiles (with a KeyName payload) are supported',
    );
  }
  const transport = offer.method === KPM_TRANSPORT;
  const encryption = transport ? ENC_RSA_OAEP : ENC_KW_AES128;
  if (!hello.supportedEncryptionAlgorithms.includes(encryption)) {
    throw new DskppError('NoSupportedEncryptionAlgorithms', `${offer.method} needs ${encryption}`);
  }
  const ad = hello.authenticationData;
  if (!ad?.clientId || !ad.mac) {
    throw new DskppError('AuthenticationDataMissing', 'two-pass hello must carry ClientID and AuthenticationCodeMac');
  }
  // The client keyed its AD MAC before knowing the server's choice: the AD's MacAlgorithm, if given,
  // is the DSKPP-PRF of this run (it must be one both sides support).
  const prf = ad.macAlgorithm ?? negotiated.macAlgorithm;
  if (!isMacAlgorithm(prf) || !ctx.policy.macAlgorithms.includes(prf) || !hello.supportedMacAlgorithms.includes(prf)) {
    throw new DskppError('NoSupportedMacAlgorithms', 'the AuthenticationCodeMac algorithm is not supported');
  }
  const client = await ctx.clients.byClientId(ad.clientId);
  if (!client) throw new DskppError('AuthenticationDataInvalid', 'authentication data did not verify');
  // 3.4.1.2 b: K is the client's registered public key (key transport) or K_SHARED (key wrap).
  if (transport && !client.transportKey) {
    throw new DskppError('AccessDenied', 'no key transport key is registered for this client');
  }
  const adOk = verifyAuthenticationDataMac(
    prf,
    {
      password: client.authenticationCode,
      clientId: ad.clientId,
      serverUrl: ctx.serverUrl,
      clientNonce,
      k: transport && client.transportKey ? publicKeyBytes(client.transportKey.publicKey) : client.sharedKey.key,
      iterationCount: ad.iterationCount,
    },
    adIterationRange(!transport),
    ad.mac,
  );
  if (!adOk) throw new DskppError('AuthenticationDataInvalid', 'authentication data did not verify');
  if (client.device && !(hello.device && sameDevice(client.device, hello.device))) {
    throw new DskppError('AccessDenied', 'DeviceIdentifierData does not match the registered device');
  }
  // Key transport: K_PROV goes only to the key registered for this client, whatever the wire says.
  const transportKey = transport ? client.transportKey : undefined;
  if (transport ? offer.keyName !== transportKey?.name : offer.keyName !== client.sharedKey.name) {
    throw new DskppError(
      'AccessDenied',
      `the ${transport ? 'key transport' : 'key wrap'} key named in the hello is not this client’s`,
    );
  }
  const replayId = createHash('sha256')
    .update(concatBytes(utf8('2p'), utf8(client.clientId), Uint8Array.of(0), clientNonce))
    .digest('base64url');
  if (!(await ctx.replayGuard.claim(`2p:${replayId}`, ctx.now() + ctx.twoPassReplayWindowMs))) {
    throw new DskppError('Abort', 'this KeyProvClientHello (ClientID, R_C) was already answered');
  }

  const kProv = new Uint8Array(randomBytes(2 * twoPassHalfLength(negotiated.keyType, prf)));
  const { kMac, kToken } = splitTwoPassKProv(kProv, negotiated.keyType, prf);
  try {
    const now = ctx.now();
    const keyId = ctx.newKeyId();
    const sessionId = randomUUID();
    const container = {
      keyId,
      algorithm: negotiated.keyType,
      issuer: ctx.serverId,
      notBefore: now,
      notAfter: now + ctx.keyLifetimeMs,
      usages: ctx.keyUsages,
      encrypted: transportKey
        ? {
            keyName: transportKey.name,
            algorithm: ENC_RSA_OAEP,
            cipherValue: encryptToDevice(transportKey.publicKey, kProv),
          }
        : {
            keyName: client.sharedKey.name,
            algorithm: ENC_KW_AES128,
            cipherValue: aesKeyWrap(client.sharedKey.key, kProv),
          },
      ...(client.device ? { device: client.device } : {}),
    };
    const finished = encodeServerFinished({
      sessionId,
      serverId: ctx.serverId,
      keyProtectionMethod: offer.method,
      keyContainerXml: buildKeyContainer(container),
      // 5.2.2: over msg_hash of the one message before this one (the hello, as received) and ServerID.
      mac: keyConfirmationMac(prf, kMac, messageHash(helloXml), ctx.serverId),
      macAlgorithm: prf,
    });
    await ctx.keys.save({
      keyId,
      clientId: client.clientId,
      keyType: negotiated.keyType,
      variant: 'two-pass',
      sessionId,
      notBefore: container.notBefore,
      notAfter: container.notAfter,
      secret: kToken,
      ...(ctx.keys.find ? { keyContainerXml: clientViewOfKeyContainer(finished) } : {}),
      ...(client.device ? { device: client.device } : {}),
    });
    return finished;
  } finally {
    zeroize(kProv, kMac, kToken);
  }
}
