// /serverkeygen (RFC 7030 4.4): the server generates the P-256 key pair, certifies it with the
// CSR's subject and SAN, and answers multipart/mixed: the private key, then the certificate as
// certs-only. The key is application/pkcs8 protected by TLS alone, or, when the CSR carries a
// key-encryption attribute (4.4.1.1 / 4.4.1.2), a CMS SignedData (signed with the CA key in the SE)
// inside an EnvelopedData to the named key (application/pkcs7-mime; smime-type=server-generated-key,
// 4.4.2). The private key is never
// logged and the response is marked no-store.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import type { ParsedCsr } from '../csr/parse-csr.js';
import { EstError } from '../errors.js';
import { encodeBase64Body } from '../lib/base64-body.js';
import { OID } from '../lib/oids.js';
import { encodeCertsOnly } from '../pkcs7/certs-only.js';
import { signedData } from '../pkcs7/signed-data.js';
import type { EstClientIdentity } from '../tls/client-identity.js';
import { checkEnrolmentRequest } from './check-request.js';
import { decide } from './decide.js';
import {
  certificateKeyAlgorithm,
  certificateKeyIdentifier,
  encryptServerKey,
  type ServerKeyRecipient,
} from './encrypt-server-key.js';
import { issueAndRecord } from './issue-and-record.js';
import { PKCS7_CERTS_ONLY, textResponse } from './responses.js';
import type { EstHttpRequest, EstHttpResponse, EstServerOptions } from './types.js';

export async function serverkeygen(o: EstServerOptions, req: EstHttpRequest): Promise<EstHttpResponse> {
  const checked = await checkEnrolmentRequest(req, o);
  // The recipient is settled before anything is generated or issued: a refusal leaves no certificate.
  const recipient = await keyRecipient(o, checked.identity, checked.csr.keyEncryption);
  if (recipient) checkCapabilities(recipient, checked.csr.smimeCapabilities);
  const decision = await decide(o, 'serverkeygen', req.label, checked);
  if (decision.outcome === 'pending') {
    return textResponse(202, 'enrolment pending approval; retry later', {
      'retry-after': String(decision.retryAfterSeconds),
    });
  }
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const certificate = await issueAndRecord(
    o,
    'serverkeygen',
    decision,
    checked.csr,
    publicKey.export({ type: 'spki', format: 'der' }),
  );
  const pkcs8 = privateKey.export({ type: 'pkcs8', format: 'der' });
  // 4.4.2: with additional encryption the key is signed by its generator (this server, with the CA key
  // held in the SE) before it is enveloped.
  const keyPart = recipient
    ? await encryptServerKey(pkcs8, recipient, (type, content) => signedData(o.ca, type, content, [o.ca.certificate]))
    : pkcs8;
  const keyType = recipient ? 'application/pkcs7-mime; smime-type=server-generated-key' : 'application/pkcs8';
  const boundary = `est-${randomBytes(12).toString('hex')}`;
  const body =
    `--${boundary}\r\ncontent-type: ${keyType}\r\ncontent-transfer-encoding: base64\r\n\r\n` +
    encodeBase64Body(keyPart) +
    `--${boundary}\r\ncontent-type: ${PKCS7_CERTS_ONLY}\r\ncontent-transfer-encoding: base64\r\n\r\n` +
    encodeBase64Body(encodeCertsOnly([certificate])) +
    `--${boundary}--\r\n`;
  pkcs8.fill(0);
  o.logger?.info('est server-generated key certified', {
    operation: 'serverkeygen',
    san: checked.csr.subjectAltName,
    keyEncryption: recipient?.kind ?? 'tls',
  });
  return {
    status: 200,
    headers: { 'content-type': `multipart/mixed; boundary=${boundary}`, 'cache-control': 'no-store' },
    body,
  };
}

async function keyRecipient(
  o: EstServerOptions,
  identity: EstClientIdentity,
  request: ParsedCsr['keyEncryption'],
): Promise<ServerKeyRecipient | undefined> {
  if (!request) return undefined;
  if (request.kind === 'asymmetric') {
    // 4.4.1.2: the only public key this server can tie to the client is the certificate it proved in TLS.
    if (identity.kind !== 'certificate') {
      throw new EstError(400, 'asymmetric key encryption needs a client certificate in TLS (RFC 7030 4.4.1.2)');
    }
    if (!Buffer.from(certificateKeyIdentifier(identity.certificate)).equals(Buffer.from(request.keyIdentifier))) {
      throw new EstError(400, "AsymmetricDecryptKeyIdentifier does not name the TLS client certificate's key");
    }
    return { kind: 'certificate', certificate: identity.certificate };
  }
  const key = await o.serverKeygenSharedKey?.(request.keyIdentifier, identity);
  if (!key) throw new EstError(400, 'DecryptKeyIdentifier names no key shared with this client (RFC 7030 4.4.1.1)');
  return { kind: 'symmetric', keyIdentifier: request.keyIdentifier, key };
}

/**
 * RFC 7030 4.4.1: a key-encryption request "MUST also include an SMIMECapabilities attribute", and 4.4.2
 * sets keyEncryptionAlgorithm to "one of the key wrap algorithms that the client included" there. This
 * server wraps with AES-256 key wrap (KEKRecipientInfo, and the ECDH KeyAgreeRecipientInfo) or
 * encrypts with RSAES-OAEP (KeyTransRecipientInfo): a request whose capabilities do not name the one
 * its recipient needs is refused, before anything is generated, rather than answered with an algorithm
 * the client did not offer.
 */
function checkCapabilities(recipient: ServerKeyRecipient, caps: readonly string[] | undefined): void {
  if (!caps) throw new EstError(400, 'a key-encryption request must carry SMIMECapabilities (RFC 7030 4.4.1)');
  const needed =
    recipient.kind === 'certificate' && certificateKeyAlgorithm(recipient.certificate) === 'rsa'
      ? OID.rsaesOaep
      : OID.aes256Wrap;
  if (!caps.includes(needed)) {
    throw new EstError(400, `SMIMECapabilities must include ${needed}, the algorithm this server uses for that key`);
  }
}
