// CMS "certs-only" SignedData (RFC 5652 5.1, RFC 7030 4.1.3 / 4.2.3): no content, no signers,
// the certificates in the certificates field. Encoded directly (one fixed shape, on the hot
// path); decoded with pkijs so the client reads whatever BER a server sends.
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { EstError } from '../errors.js';
import { oid, seq, set, smallInteger, tlv } from '../lib/der.js';
import { OID } from '../lib/oids.js';

const SIGNED_DATA = oid(OID.signedData);
const DATA_CONTENT_INFO = seq(oid(OID.data));
const VERSION_1 = smallInteger(1);
const EMPTY_SET = set();

/** ContentInfo { signedData, SignedData { v1, {}, {data}, [0] certificates, {} } } as DER. */
export function encodeCertsOnly(certificates: readonly Uint8Array[]): Uint8Array {
  const signedData = seq(VERSION_1, EMPTY_SET, DATA_CONTENT_INFO, tlv(0xa0, ...certificates), EMPTY_SET);
  return seq(SIGNED_DATA, tlv(0xa0, signedData));
}

/** The certificates (DER) of a certs-only PKCS#7 / CMS structure. */
export function decodeCertsOnly(der: Uint8Array): Uint8Array[] {
  const asn = asn1js.fromBER(der);
  if (asn.offset === -1) throw new EstError(400, 'PKCS#7 response is not valid BER');
  try {
    const info = new pkijs.ContentInfo({ schema: asn.result });
    if (info.contentType !== pkijs.ContentInfo.SIGNED_DATA) throw new Error('not SignedData');
    const sd = new pkijs.SignedData({ schema: info.content });
    return (sd.certificates ?? [])
      .filter((c): c is pkijs.Certificate => c instanceof pkijs.Certificate)
      .map((c) => new Uint8Array(c.toSchema().toBER(false)));
  } catch (e) {
    throw new EstError(400, `PKCS#7 response is not a certs-only SignedData: ${(e as Error).message}`);
  }
}

/** The same structure built with pkijs (reference for tests and non-hot paths). */
export function encodeCertsOnlyWithPkijs(certificates: readonly Uint8Array[]): Uint8Array {
  const sd = new pkijs.SignedData({
    version: 1,
    encapContentInfo: new pkijs.EncapsulatedContentInfo({ eContentType: OID.data }),
    certificates: certificates.map((c) => pkijs.Certificate.fromBER(c)),
    signerInfos: [],
  });
  const info = new pkijs.ContentInfo({ contentType: pkijs.ContentInfo.SIGNED_DATA, content: sd.toSchema(true) });
  return new Uint8Array(info.toSchema().toBER(false));
}
