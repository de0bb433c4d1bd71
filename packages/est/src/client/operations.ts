// EST client operations (RFC 7030 4.1, 4.2, 4.4, 4.5) for the MEF Client (TS-0003 8.3.6.2).
import { type CsrAttributes, decodeCsrAttributes } from '../csrattrs/csr-attributes.js';
import { EstClientError } from '../errors.js';
import { decodeCertsOnly } from '../pkcs7/certs-only.js';
import { parseMultipart } from './multipart.js';
import { type EstBody, type EstTarget, estRequest } from './request.js';
import { type EnrolmentResult, failure, readEnrolmentResponse } from './responses.js';

const b64 = (body: Buffer) => Buffer.from(body.toString('latin1').replace(/\s+/g, ''), 'base64');

/** /cacerts: the CA certificates (DER). */
export async function fetchCaCertificates(target: EstTarget): Promise<Uint8Array[]> {
  const r = await estRequest(target, 'cacerts', 'GET');
  if (r.status !== 200) throw failure(r);
  return decodeCertsOnly(b64(r.body));
}

/** /csrattrs: what the CSR must carry; empty when the server has nothing to ask (204 / 404). */
export async function fetchCsrAttributes(target: EstTarget): Promise<CsrAttributes> {
  const r = await estRequest(target, 'csrattrs', 'GET');
  if (r.status === 204 || r.status === 404) return { oids: [], attributes: [] };
  if (r.status !== 200) throw failure(r);
  return decodeCsrAttributes(b64(r.body));
}

/** /simpleenroll. `csr` may be a function of the TLS channel binding (put it in challengePassword). */
export async function simpleEnroll(target: EstTarget, csr: EstBody): Promise<EnrolmentResult> {
  return readEnrolmentResponse(
    await estRequest(target, 'simpleenroll', 'POST', { contentType: 'application/pkcs10', data: csr }),
  );
}

/** /simplereenroll: authenticate with the current certificate (target.tls cert/key). */
export async function simpleReenroll(target: EstTarget, csr: EstBody): Promise<EnrolmentResult> {
  return readEnrolmentResponse(
    await estRequest(target, 'simplereenroll', 'POST', { contentType: 'application/pkcs10', data: csr }),
  );
}

export type ServerKeyGenResult =
  | {
      readonly status: 'issued';
      /** PKCS#8 DER of the server-generated private key: hand it to the SE (importKey) at once. */
      readonly privateKey: Uint8Array;
      readonly certificate: Uint8Array;
      readonly certificates: readonly Uint8Array[];
    }
  | { readonly status: 'pending'; readonly retryAfterSeconds: number };

/** /serverkeygen (RFC 7030 4.4): multipart/mixed answer, private key then certificate. */
export async function serverKeyGen(target: EstTarget, csr: EstBody): Promise<ServerKeyGenResult> {
  const r = await estRequest(target, 'serverkeygen', 'POST', { contentType: 'application/pkcs10', data: csr });
  if (r.status === 202) return readEnrolmentResponse(r) as ServerKeyGenResult;
  if (r.status !== 200) throw failure(r);
  const parts = parseMultipart(String(r.headers['content-type'] ?? ''), r.body);
  const key = parts.find((p) => p.contentType.startsWith('application/pkcs8'));
  const certs = parts.find((p) => p.contentType.startsWith('application/pkcs7-mime'));
  if (!key || !certs) throw new EstClientError(r.status, 'serverkeygen answer lacks the key or the certificate part');
  const certificates = decodeCertsOnly(b64(certs.body));
  const [certificate] = certificates;
  if (!certificate) throw new EstClientError(r.status, 'serverkeygen answer holds no certificate');
  return { status: 'issued', privateKey: b64(key.body), certificate, certificates };
}
