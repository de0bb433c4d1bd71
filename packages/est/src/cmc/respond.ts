// The HTTP answer carrying a Full PKI Response (RFC 7030 4.3.2: application/pkcs7-mime;
// smime-type=CMC-response, base64).
import type { CertificateAuthority } from '../certificate/certificate-authority.js';
import { base64Response } from '../server/responses.js';
import type { EstHttpResponse } from '../server/types.js';
import { type CmcStatus, encodePkiResponse, signPkiResponse } from './cmc-response.js';

export const CMC_RESPONSE = 'application/pkcs7-mime; smime-type=CMC-response';

export async function encodeCmcResponse(
  ca: CertificateAuthority,
  statuses: readonly CmcStatus[],
  issued: readonly Uint8Array[],
): Promise<EstHttpResponse> {
  const signed = await signPkiResponse(ca, encodePkiResponse(statuses), [...issued, ca.certificate]);
  return base64Response(CMC_RESPONSE, signed);
}
