// /simplereenroll (RFC 7030 4.2.2, TS-0003 8.3.6.2.3): the client authenticates with the
// certificate being renewed, which this CA issued and which is still valid; the CSR's subject
// and SAN must be identical to it. A changed subject or SAN is a malformed re-enrolment: 400.
import { EstError } from '../errors.js';
import { bytesEqual } from '../lib/der.js';
import { sameGeneralNames } from '../lib/general-names.js';
import { checkEnrolmentRequest } from './check-request.js';
import { issueFor } from './simpleenroll.js';
import type { EstHttpRequest, EstHttpResponse, EstServerOptions } from './types.js';

export async function simplereenroll(o: EstServerOptions, req: EstHttpRequest): Promise<EstHttpResponse> {
  const checked = await checkEnrolmentRequest(req, o);
  const id = checked.identity;
  if (id.kind !== 'certificate' || !id.issuedByThisCa || !id.parsed) {
    throw new EstError(
      403,
      're-enrolment requires the current certificate issued by this CA as the TLS client certificate (RFC 7030 4.2.2)',
    );
  }
  const now = o.now?.() ?? new Date();
  if (now < id.parsed.notBefore || now > id.parsed.notAfter) {
    throw new EstError(403, 'the certificate being renewed is not valid now (RFC 7030 4.2.2)');
  }
  if (!bytesEqual(checked.csr.subject, id.parsed.subject)) {
    throw new EstError(400, 're-enrolment must keep the subject of the current certificate (RFC 7030 4.2.2)');
  }
  if (!id.subjectAltName || !sameGeneralNames(checked.csr.subjectAltName, id.subjectAltName)) {
    throw new EstError(400, 're-enrolment must keep the subjectAltName of the current certificate (RFC 7030 4.2.2)');
  }
  return issueFor(o, req, checked, 'simplereenroll');
}
