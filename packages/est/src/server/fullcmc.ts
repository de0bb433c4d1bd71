// /fullcmc (RFC 7030 4.3) with CMC (RFC 5272 / 5273), independent of the HTTP framework. Served:
// - re-key (RFC 5272 2.2, RFC 7030 4.3): one PKCS#10 TaggedCertificationRequest with a NEW key, signed
//   (POP) by that key, the whole PKIData signed under the client's current certificate;
// - revocation (RFC 5272 6.11, id-cmc-revokeRequest) of a certificate of this CA, decided by the
//   revokeCertificate hook.
// The SignedData's signer must be the certificate the client authenticated with in TLS and issued by
// this CA (the same binding as simplereenroll). One operation per request: anything else (CRMF, nested
// CMS, other controls, several operations) is answered noSupport with nothing done. The answer is a
// Full PKI Response (CMCStatusInfoV2) signed by the CA; HTTP 200 carries success and CMC failures alike.
import { canonicalSerial } from '../certificate/issue-crl.js';
import type { CmcStatus } from '../cmc/cmc-response.js';
import { CMC, CMC_FAIL, CMC_STATUS } from '../cmc/oids.js';
import { parsePkiData } from '../cmc/pki-data.js';
import { encodeCmcResponse } from '../cmc/respond.js';
import { parseRevokeRequest } from '../cmc/revoke-request.js';
import { verifyCmcRequest } from '../cmc/verify-request.js';
import { parseCsr } from '../csr/parse-csr.js';
import { verifyCsrSignature } from '../csr/verify-csr.js';
import { EstError, isEstError } from '../errors.js';
import { decodeBase64Body } from '../lib/base64-body.js';
import { bytesEqual } from '../lib/der.js';
import { sameGeneralNames } from '../lib/general-names.js';
import { checkNameConstraints } from '../lib/name-constraints.js';
import { checkChannelBinding, requireAuthenticatedClient } from './check-request.js';
import { decide } from './decide.js';
import { issueAndRecord } from './issue-and-record.js';
import type { EstHttpRequest, EstHttpResponse, EstServerOptions } from './types.js';

export async function fullcmc(o: EstServerOptions, req: EstHttpRequest): Promise<EstHttpResponse> {
  const identity = requireAuthenticatedClient(req, o);
  const type = req.contentType?.split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/pkcs7-mime') {
    throw new EstError(415, 'the request body must be application/pkcs7-mime; smime-type=CMC-request');
  }
  const { signer, pkiData } = await verifyCmcRequest(decodeBase64Body(req.body, 'CMC request'));
  if (identity.kind !== 'certificate' || !identity.issuedByThisCa || !identity.parsed) {
    throw new EstError(403, 'fullcmc needs a client certificate of this CA in TLS (the CMC signer)');
  }
  if (!bytesEqual(signer, identity.certificate)) {
    throw new EstError(403, 'the Full PKI Request is not signed under the TLS client certificate');
  }
  const now = o.now?.() ?? new Date();
  const current = identity.parsed;
  if (now < current.notBefore || now > current.notAfter) {
    throw new EstError(403, 'the signing certificate is not valid now');
  }
  const data = parsePkiData(pkiData);
  const revocations = data.controls.filter((c) => c.type === CMC.revokeRequest);
  const others = data.controls.filter((c) => c.type !== CMC.revokeRequest);
  const ops = data.requests.length + revocations.length;
  const allIds = [
    ...data.controls.map((c) => c.bodyPartId),
    ...data.requests.map((r) => r.bodyPartId),
    ...data.unsupported.map((u) => u.bodyPartId),
  ];
  if (data.unsupported.length || others.length || ops !== 1) {
    const what = data.unsupported.length
      ? `body parts of kind ${[...new Set(data.unsupported.map((u) => u.kind))].join(', ')}`
      : others.length
        ? `controls ${others.map((c) => c.type).join(', ')}`
        : 'a request with other than exactly one operation';
    return answer(o, [
      { status: CMC_STATUS.noSupport, bodyList: allIds.length ? allIds : [0], statusString: `not supported: ${what}` },
    ]);
  }
  if (revocations.length === 1) {
    const control = revocations[0]!;
    const status = await revoke(o, control.bodyPartId, control.values, identity, signer);
    return answer(o, [status]);
  }
  const request = data.requests[0]!;
  let certificate: Uint8Array;
  try {
    const csr = parseCsr(request.csr);
    checkChannelBinding(req.tls, csr, o.channelBinding ?? 'require');
    for (const name of csr.subjectAltName) checkNameConstraints(name, o.ca.nameConstraints);
    await verifyCsrSignature(csr, (o as { verifyPool?: Parameters<typeof verifyCsrSignature>[1] }).verifyPool);
    if (
      !bytesEqual(csr.subject, current.subject) ||
      !identity.subjectAltName ||
      !sameGeneralNames(csr.subjectAltName, identity.subjectAltName)
    ) {
      return answer(o, [
        failed(
          request.bodyPartId,
          CMC_FAIL.badRequest,
          're-key must keep the subject and subjectAltName of the signing certificate',
        ),
      ]);
    }
    if (bytesEqual(csr.subjectPublicKeyInfo, current.subjectPublicKeyInfo)) {
      return answer(o, [failed(request.bodyPartId, CMC_FAIL.noKeyReuse, 're-key needs a new key')]);
    }
    const decision = await decide(o, 'simplereenroll', req.label, { identity, csr });
    if (decision.outcome === 'pending') {
      return answer(o, [
        { status: CMC_STATUS.pending, bodyList: [request.bodyPartId], statusString: 'pending approval' },
      ]);
    }
    certificate = await issueAndRecord(o, 'simplereenroll', decision, csr, csr.subjectPublicKeyInfo);
  } catch (e) {
    if (!isEstError(e)) throw e;
    const fail = e.status === 403 ? CMC_FAIL.badIdentity : CMC_FAIL.badRequest;
    return answer(o, [failed(request.bodyPartId, fail, e.message)]);
  }
  o.logger?.info('est certificate issued', { operation: 'fullcmc', rekey: true });
  return answer(o, [{ status: CMC_STATUS.success, bodyList: [request.bodyPartId] }], [certificate]);
}

function failed(bodyPartId: number, failInfo: CmcStatus['failInfo'], statusString: string): CmcStatus {
  return {
    status: CMC_STATUS.failed,
    bodyList: [bodyPartId],
    statusString,
    ...(failInfo !== undefined ? { failInfo } : {}),
  };
}

async function revoke(
  o: EstServerOptions,
  bodyPartId: number,
  values: readonly Uint8Array[],
  identity: Parameters<NonNullable<EstServerOptions['revokeCertificate']>>[0]['requester'],
  signer: Uint8Array,
): Promise<CmcStatus> {
  if (!o.revokeCertificate) {
    return { status: CMC_STATUS.noSupport, bodyList: [bodyPartId], statusString: 'revocation is not offered here' };
  }
  if (values.length !== 1) return failed(bodyPartId, CMC_FAIL.badRequest, 'revokeRequest takes one value');
  const r = parseRevokeRequest(values[0]!);
  if (!r) return failed(bodyPartId, CMC_FAIL.badRequest, 'malformed RevokeRequest');
  if (!bytesEqual(r.issuerName, o.ca.parsed.subject)) {
    return failed(bodyPartId, CMC_FAIL.badCertId, 'the certificate was not issued by this CA');
  }
  const verdict = await o.revokeCertificate({
    serialNumber: canonicalSerial(Buffer.from(r.serialNumber).toString('hex')),
    ...(r.reason ? { reason: r.reason } : {}),
    requester: identity,
    signer,
  });
  if (verdict !== true) return failed(bodyPartId, CMC_FAIL.badCertId, verdict);
  o.logger?.info('est certificate revoked', { operation: 'fullcmc' });
  return { status: CMC_STATUS.success, bodyList: [bodyPartId] };
}

async function answer(o: EstServerOptions, statuses: CmcStatus[], issued: Uint8Array[] = []): Promise<EstHttpResponse> {
  return encodeCmcResponse(o.ca, statuses, issued);
}
