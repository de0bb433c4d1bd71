// /fullcmc revocation (RFC 7030 4.3, RFC 5272 6.11 id-cmc-revokeRequest) from the client side: a
// Full PKI Request whose PKIData holds one revokeRequest control, signed (RFC 5652 5, signed attributes
// contentType + messageDigest) under the TLS client certificate the request travels on, as the server's
// fullcmc requires. The answer's CMS signature is verified with the certificate it carries, and its
// CMCStatusInfoV2 is returned.
import { createHash, createPrivateKey, sign, webcrypto, X509Certificate } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { CMC } from '../cmc/oids.js';
import { EstClientError } from '../errors.js';
import { octetString, oid, seq, set, smallInteger, tlv, unsignedInteger } from '../lib/der.js';
import { OID } from '../lib/oids.js';
import { type EstTarget, estRequest } from './request.js';

const engine = new pkijs.CryptoEngine({ name: 'node', crypto: webcrypto as unknown as pkijs.ICryptoEngine['crypto'] });
const SHA256_ALGID = seq(oid('2.16.840.1.101.3.4.2.1'));

/** RFC 5280 CRLReason codes a client may ask for. */
export const REVOCATION_REASONS = {
  unspecified: 0,
  keyCompromise: 1,
  affiliationChanged: 3,
  superseded: 4,
  cessationOfOperation: 5,
} as const;

export interface CmcRevocation {
  /** PEM or DER of the certificate to revoke (issuer and serial are taken from it). */
  certificate: string | Uint8Array;
  reason?: keyof typeof REVOCATION_REASONS;
}

export interface CmcSigner {
  /** PEM of the signing (and TLS client) certificate. */
  certificate: string;
  /** PEM private key of that certificate (EC P-256 or RSA). */
  key: string;
}

export interface CmcRevocationResult {
  /** CMCStatus (RFC 5272 6.1.1): 0 success, 2 failed, 3 pending, 4 noSupport. */
  status: number;
  statusString?: string;
  failInfo?: number;
}

/** Asks the CA to revoke `r.certificate`, signed by and sent under `signer` (put the same cert/key in target.tls). */
export async function revokeWithFullCmc(
  target: EstTarget,
  r: CmcRevocation,
  signer: CmcSigner,
): Promise<CmcRevocationResult> {
  const victim = new X509Certificate(r.certificate as string);
  const parsed = pkijs.Certificate.fromBER(victim.raw);
  const revokeRequest = seq(
    new Uint8Array(parsed.issuer.toSchema().toBER(false)),
    unsignedInteger(
      Buffer.from(victim.serialNumber.length % 2 ? `0${victim.serialNumber}` : victim.serialNumber, 'hex'),
    ),
    tlv(0x0a, Uint8Array.of(REVOCATION_REASONS[r.reason ?? 'superseded'])),
  );
  const pkiData = seq(seq(seq(smallInteger(1), oid(CMC.revokeRequest), set(revokeRequest))), seq(), seq(), seq());
  const request = signedDataContentInfo(sign_(pkiData, signer));
  const answer = await estRequest(target, 'fullcmc', 'POST', {
    contentType: 'application/pkcs7-mime; smime-type=CMC-request',
    data: request,
  });
  if (answer.status !== 200) {
    throw new EstClientError(
      answer.status,
      `fullcmc answered HTTP ${answer.status}: ${answer.body.toString('utf8').slice(0, 200)}`,
    );
  }
  return readStatus(Buffer.from(answer.body.toString('latin1').replace(/\s+/g, ''), 'base64'));
}

function sign_(pkiData: Uint8Array, signer: CmcSigner): Uint8Array {
  const cert = new X509Certificate(signer.certificate);
  const pc = pkijs.Certificate.fromBER(cert.raw);
  const key = createPrivateKey(signer.key);
  const ec = key.asymmetricKeyType === 'ec';
  if (!ec && key.asymmetricKeyType !== 'rsa') throw new Error('the signing key must be EC or RSA');
  const attrs = [
    seq(oid('1.2.840.113549.1.9.3'), set(oid(CMC.pkiData))),
    seq(oid('1.2.840.113549.1.9.4'), set(octetString(createHash('sha256').update(pkiData).digest()))),
  ];
  const signature = sign('sha256', set(...attrs), ec ? { key, dsaEncoding: 'der' } : key);
  const signatureAlg = ec ? seq(oid('1.2.840.10045.4.3.2')) : seq(oid('1.2.840.113549.1.1.11'), tlv(0x05));
  const signerInfo = seq(
    smallInteger(1),
    seq(new Uint8Array(pc.issuer.toSchema().toBER(false)), new Uint8Array(pc.serialNumber.toBER(false))),
    SHA256_ALGID,
    tlv(0xa0, ...attrs),
    signatureAlg,
    octetString(signature),
  );
  return seq(
    smallInteger(3),
    set(SHA256_ALGID),
    seq(oid(CMC.pkiData), tlv(0xa0, octetString(pkiData))),
    tlv(0xa0, new Uint8Array(cert.raw)),
    set(signerInfo),
  );
}

function signedDataContentInfo(signed: Uint8Array): Uint8Array {
  return seq(oid(OID.signedData), tlv(0xa0, signed));
}

async function readStatus(der: Buffer): Promise<CmcRevocationResult> {
  const bad = (m: string) => new EstClientError(200, `malformed Full PKI Response: ${m}`);
  const asn = asn1js.fromBER(der);
  if (asn.offset === -1) throw bad('not BER');
  let sd: pkijs.SignedData;
  try {
    sd = new pkijs.SignedData({ schema: new pkijs.ContentInfo({ schema: asn.result }).content });
  } catch {
    throw bad('not a CMS SignedData');
  }
  if (sd.encapContentInfo.eContentType !== CMC.pkiResponse) throw bad('eContentType is not id-cct-PKIResponse');
  const verified = await sd
    .verify({ signer: 0, checkChain: false, extendedMode: true }, engine)
    .then((v) => v.signatureVerified === true)
    .catch(() => false);
  if (!verified) throw bad('its signature does not verify');
  const content = sd.encapContentInfo.eContent?.getValue();
  if (!content) throw bad('no content');
  const response = asn1js.fromBER(content).result as asn1js.Sequence;
  for (const control of ((response.valueBlock.value[0] as asn1js.Sequence)?.valueBlock.value ??
    []) as asn1js.Sequence[]) {
    const [, type, values] = control.valueBlock.value as [asn1js.Integer, asn1js.ObjectIdentifier, asn1js.Set];
    if (type?.valueBlock.toString() !== CMC.statusInfoV2) continue;
    const info = (values.valueBlock.value[0] as asn1js.Sequence).valueBlock.value;
    const text = info.find((v) => v instanceof asn1js.Utf8String) as asn1js.Utf8String | undefined;
    const failInfo = info.find((v, i) => i >= 2 && v instanceof asn1js.Integer) as asn1js.Integer | undefined;
    return {
      status: (info[0] as asn1js.Integer).valueBlock.valueDec,
      ...(text ? { statusString: text.valueBlock.value } : {}),
      ...(failInfo ? { failInfo: failInfo.valueBlock.valueDec } : {}),
    };
  }
  throw bad('no CMCStatusInfoV2');
}
