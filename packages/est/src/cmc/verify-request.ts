// Full PKI Request (RFC 5272 3.2.1): a SignedData over PKIData. The signature is checked with pkijs
// over Node's WebCrypto; the signer certificate must be carried in the SignedData.
import { webcrypto } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { EstError } from '../errors.js';
import { CMC } from './oids.js';

const engine = new pkijs.CryptoEngine({ name: 'node', crypto: webcrypto as unknown as pkijs.ICryptoEngine['crypto'] });

export interface VerifiedCmcRequest {
  /** DER of the signer's certificate. */
  readonly signer: Uint8Array;
  /** DER PKIData. */
  readonly pkiData: Uint8Array;
}

export async function verifyCmcRequest(der: Uint8Array): Promise<VerifiedCmcRequest> {
  const bad = (m: string) => new EstError(400, `malformed Full PKI Request: ${m}`);
  const asn = asn1js.fromBER(der);
  if (asn.offset === -1 || asn.offset !== der.length) throw bad('not one BER element');
  let sd: pkijs.SignedData;
  try {
    const info = new pkijs.ContentInfo({ schema: asn.result });
    if (info.contentType !== pkijs.ContentInfo.SIGNED_DATA) throw new Error('not SignedData');
    sd = new pkijs.SignedData({ schema: info.content });
  } catch {
    throw bad('not a CMS SignedData (RFC 5272 3.2.1)');
  }
  if (sd.encapContentInfo.eContentType !== CMC.pkiData) throw bad('eContentType is not id-cct-PKIData');
  const content = sd.encapContentInfo.eContent;
  if (!content) throw bad('detached content');
  if (sd.signerInfos.length !== 1) throw bad('exactly one signer is accepted');
  let ok = false;
  let signer: pkijs.Certificate | undefined;
  try {
    const r = await sd.verify({ signer: 0, checkChain: false, extendedMode: true }, engine);
    ok = r.signatureVerified === true;
    signer = r.signerCertificate ?? undefined;
  } catch {
    ok = false;
  }
  if (!ok || !signer)
    throw new EstError(403, 'the Full PKI Request signature does not verify with the included signer certificate');
  const pkiData = new Uint8Array(content.getValue());
  return { signer: new Uint8Array(signer.toSchema().toBER(false)), pkiData };
}
