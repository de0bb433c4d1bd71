// /serverkeygen (RFC 7030 4.4): the server generates the P-256 key pair, certifies it with the
// CSR's subject and SAN, and answers multipart/mixed: the private key as application/pkcs8
// (protected by TLS; 4.4.2), then the certificate as certs-only. The private key is never
// logged and the response is marked no-store.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { EstError } from '../errors.js';
import { encodeBase64Body } from '../lib/base64-body.js';
import { encodeCertsOnly } from '../pkcs7/certs-only.js';
import { checkEnrolmentRequest } from './check-request.js';
import { decide } from './decide.js';
import { issueAndRecord } from './issue-and-record.js';
import { PKCS7_CERTS_ONLY, textResponse } from './responses.js';
import type { EstHttpRequest, EstHttpResponse, EstServerOptions } from './types.js';

export async function serverkeygen(o: EstServerOptions, req: EstHttpRequest): Promise<EstHttpResponse> {
  const checked = await checkEnrolmentRequest(req, o);
  if (checked.csr.requestsKeyEncryption) {
    throw new EstError(
      501,
      'encrypted server-generated keys (RFC 7030 4.4.1.1 / 4.4.1.2) are not supported; TLS protects the key',
    );
  }
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
  const boundary = `est-${randomBytes(12).toString('hex')}`;
  const body =
    `--${boundary}\r\ncontent-type: application/pkcs8\r\ncontent-transfer-encoding: base64\r\n\r\n` +
    encodeBase64Body(pkcs8) +
    `--${boundary}\r\ncontent-type: ${PKCS7_CERTS_ONLY}\r\ncontent-transfer-encoding: base64\r\n\r\n` +
    encodeBase64Body(encodeCertsOnly([certificate])) +
    `--${boundary}--\r\n`;
  pkcs8.fill(0);
  o.logger?.info('est server-generated key certified', { operation: 'serverkeygen', san: checked.csr.subjectAltName });
  return {
    status: 200,
    headers: { 'content-type': `multipart/mixed; boundary=${boundary}`, 'cache-control': 'no-store' },
    body,
  };
}
