// CMS SignedData (RFC 5652 5) made by the CA in its SE: one SignerInfo (version 1, issuerAndSerialNumber
// of the CA certificate), SHA-256 digest, ecdsa-with-SHA256 over the signed attributes contentType +
// messageDigest (5.4: with signed attributes present, contentType must equal eContentType).
// Used for the Full PKI Response (RFC 5272 3.2.2) and for a server-generated private key before it is
// enveloped (RFC 7030 4.4.2).
import { createHash } from 'node:crypto';
import * as pkijs from 'pkijs';
import type { CertificateAuthority } from '../certificate/certificate-authority.js';
import { octetString, oid, seq, set, smallInteger, tlv } from '../lib/der.js';
import { p1363ToDer } from '../lib/ecdsa-signature.js';
import { ECDSA_WITH_SHA256_ALGID, OID } from '../lib/oids.js';

const SHA256_ALGID = seq(oid('2.16.840.1.101.3.4.2.1'));

/** The SignedData SEQUENCE (not wrapped in a ContentInfo) over `content` of type `eContentType`. */
export async function signedData(
  ca: CertificateAuthority,
  eContentType: string,
  content: Uint8Array,
  certificates: readonly Uint8Array[],
): Promise<Uint8Array> {
  const caCert = pkijs.Certificate.fromBER(ca.certificate);
  const sid = seq(
    new Uint8Array(caCert.issuer.toSchema().toBER(false)),
    new Uint8Array(caCert.serialNumber.toBER(false)),
  );
  const attrs = [
    seq(oid('1.2.840.113549.1.9.3'), set(oid(eContentType))),
    seq(oid('1.2.840.113549.1.9.4'), set(octetString(createHash('sha256').update(content).digest()))),
  ];
  // DER SET OF: the contentType attribute encodes shorter than the messageDigest one (a 32-octet
  // digest against an OID of at most a dozen octets), so this order is the sorted one.
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
  return seq(
    smallInteger(3),
    set(SHA256_ALGID),
    seq(oid(eContentType), tlv(0xa0, octetString(content))),
    tlv(0xa0, ...certificates),
    set(signerInfo),
  );
}

/** ContentInfo { id-signedData, SignedData } (RFC 5652 3). */
export function signedDataContentInfo(signed: Uint8Array): Uint8Array {
  return seq(oid(OID.signedData), tlv(0xa0, signed));
}
