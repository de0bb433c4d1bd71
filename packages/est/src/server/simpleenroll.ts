// /simpleenroll (RFC 7030 4.2.1, TS-0003 8.3.6.2.2 step 3).
import { encodeCertsOnly } from '../pkcs7/certs-only.js';
import { checkEnrolmentRequest } from './check-request.js';
import { decide } from './decide.js';
import { issueAndRecord } from './issue-and-record.js';
import { base64Response, PKCS7_CERTS_ONLY, textResponse } from './responses.js';
import type { EstHttpRequest, EstHttpResponse, EstServerOptions } from './types.js';

export async function simpleenroll(o: EstServerOptions, req: EstHttpRequest): Promise<EstHttpResponse> {
  const checked = await checkEnrolmentRequest(req, o);
  return issueFor(o, req, checked, 'simpleenroll');
}

/** Shared tail of simpleenroll / simplereenroll: policy, then issue and answer certs-only. */
export async function issueFor(
  o: EstServerOptions,
  req: EstHttpRequest,
  checked: Awaited<ReturnType<typeof checkEnrolmentRequest>>,
  operation: 'simpleenroll' | 'simplereenroll',
): Promise<EstHttpResponse> {
  const decision = await decide(o, operation, req.label, checked);
  if (decision.outcome === 'pending') {
    o.logger?.info('est enrolment pending', { operation, san: checked.csr.subjectAltName });
    return textResponse(202, 'enrolment pending approval; retry later', {
      'retry-after': String(decision.retryAfterSeconds),
    });
  }
  const certificate = await issueAndRecord(o, operation, decision, checked.csr, checked.csr.subjectPublicKeyInfo);
  o.logger?.info('est certificate issued', { operation, san: checked.csr.subjectAltName });
  return base64Response(PKCS7_CERTS_ONLY, encodeCertsOnly([certificate]));
}
