// Full PKI Response (RFC 5272 3.2.2 / 4.2): a PKIResponse with one CMCStatusInfoV2 (6.1.1) naming the
// body parts it answers, in a SignedData the CA signs in its SE (ecdsa-with-SHA256 over the signed
// attributes contentType + messageDigest, RFC 5652 5.4), certificates = the issued one and the CA.
import { createHash } from 'node:crypto';
import * as pkijs from 'pkijs';
import type { CertificateAuthority } from '../certificate/certificate-authority.js';
import { octetString, oid, seq, set, smallInteger, tlv, utf8String } from '../lib/der.js';
import { p1363ToDer } from '../lib/ecdsa-signature.js';
import { ECDSA_WITH_SHA256_ALGID, OID } from '../lib/oids.js';
import { CMC, type CmcFailInfo } from './oids.js';

export interface CmcStatus {
  readonly status: number;
  /** The bodyPartIDs this status answers (the request's, or the control's). */
  readonly bodyList: readonly number[];
  readonly statusString?: string;
  readonly failInfo?: CmcFailInfo;
}

const SHA256_ALGID = seq(oid('2.16.840.1.101.3.4.2.1'));

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
  const caCert = pkijs.Certificate.fromBER(ca.certificate);
  const sid = seq(
    new Uint8Array(caCert.issuer.toSchema().toBER(false)),
    new Uint8Array(caCert.serialNumber.toBER(false)),
  );
  const attrs = [
    seq(oid('1.2.840.113549.1.9.3'), set(oid(CMC.pkiResponse))),
    seq(oid('1.2.840.113549.1.9.4'), set(octetString(createHash('sha256').update(pkiResponse).digest()))),
  ];
  // DER SET OF: the contentType attribute encodes shorter, so this order is the sorted one.
  const signedAttrs = set(...attrs);
  const signature = p1363ToDer(await ca.se.sign(ca.key, signedAttrs));
  const signerInfo = seq(
    smallInteger(1),
    sid,
    SHA256_ALGID,
    tlv(0xa0, ...attrs),
    ECDSA_WITH_SHA256_ALGID,
    octetString(signature),
  );
  const signedData = seq(
    smallInteger(3),
    set(SHA256_ALGID),
    seq(oid(CMC.pkiResponse), tlv(0xa0, octetString(pkiResponse))),
    tlv(0xa0, ...certificates),
    set(signerInfo),
  );
  return seq(oid(OID.signedData), tlv(0xa0, signedData));
}
