// Full PKI Response (RFC 5272 3.2.2 / 4.2): a PKIResponse with one CMCStatusInfoV2 (6.1.1) naming the
// body parts it answers, in a SignedData the CA signs in its SE (ecdsa-with-SHA256 over the signed
// attributes contentType + messageDigest, RFC 5652 5.4), certificates = the issued one and the CA.
import type { CertificateAuthority } from '../certificate/certificate-authority.js';
import { oid, seq, set, smallInteger, tlv, utf8String } from '../lib/der.js';
import { signedData, signedDataContentInfo } from '../pkcs7/signed-data.js';
import { CMC, type CmcFailInfo } from './oids.js';

export interface CmcStatus {
  readonly status: number;
  /** The bodyPartIDs this status answers (the request's, or the control's). */
  readonly bodyList: readonly number[];
  readonly statusString?: string;
  readonly failInfo?: CmcFailInfo;
}

function unsigned32(n: number): Uint8Array {
  const bytes: number[] = [];
  let v = n;
  do {
    bytes.unshift(v & 0xff);
    v = Math.floor(v / 256);
  } while (v > 0);
  if (bytes[0]! & 0x80) bytes.unshift(0);
  return tlv(0x02, Uint8Array.from(bytes));
}

export function encodePkiResponse(statuses: readonly CmcStatus[]): Uint8Array {
  const controls = statuses.map((s, i) =>
    seq(
      unsigned32(i + 1),
      oid(CMC.statusInfoV2),
      set(
        seq(
          smallInteger(s.status),
          seq(...s.bodyList.map(unsigned32)),
          ...(s.statusString ? [utf8String(s.statusString)] : []),
          ...(s.failInfo !== undefined ? [smallInteger(s.failInfo)] : []),
        ),
      ),
    ),
  );
  return seq(seq(...controls), seq(), seq());
}

export async function signPkiResponse(
  ca: CertificateAuthority,
  pkiResponse: Uint8Array,
  certificates: readonly Uint8Array[],
): Promise<Uint8Array> {
  return signedDataContentInfo(await signedData(ca, CMC.pkiResponse, pkiResponse, certificates));
}
