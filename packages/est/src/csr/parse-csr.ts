// PKCS#10 (RFC 2986) reader for the TS-0003 10.1.4 CSR profile. Strict DER; every field the
// profile constrains is checked here so later steps see a well-formed request.
import { EstError } from '../errors.js';
import { bytesEqual, children, content, expectTlv, oidToString, readTlv, type Tlv, whole } from '../lib/der.js';
import { type GeneralName, parseGeneralNames } from '../lib/general-names.js';
import { EC_P256_SPKI_ALGID, ECDSA_WITH_SHA256_ALGID, OID_CONTENT } from '../lib/oids.js';

export interface ParsedCsr {
  /** The whole request. */
  readonly der: Uint8Array;
  /** DER of certificationRequestInfo: the signed bytes. */
  readonly certificationRequestInfo: Uint8Array;
  /** DER of the subject Name (possibly an empty SEQUENCE). */
  readonly subject: Uint8Array;
  /** DER of subjectPKInfo (id-ecPublicKey / secp256r1, uncompressed point). */
  readonly subjectPublicKeyInfo: Uint8Array;
  /** The 65-byte uncompressed EC point 04 || x || y. */
  readonly publicPoint: Uint8Array;
  /** DER ECDSA-Sig-Value. */
  readonly signature: Uint8Array;
  /** challengePassword attribute value, when present. */
  readonly challengePassword?: string;
  readonly subjectAltName: readonly GeneralName[];
  /** Requested extensions by dotted OID (the SAN included), DER values. */
  readonly requestedExtensionOids: readonly string[];
  /** RFC 7030 4.4.1 key-encryption attributes present (server-side key generation). */
  readonly requestsKeyEncryption: boolean;
  /**
   * The key the server-generated private key is to be encrypted to: DecryptKeyIdentifier (4.4.1.1, a
   * pre-shared symmetric key) or AsymmetricDecryptKeyIdentifier (4.4.1.2), each an OCTET STRING.
   */
  readonly keyEncryption?: { readonly kind: 'symmetric' | 'asymmetric'; readonly keyIdentifier: Uint8Array };
  /** SMIMECapabilities attribute (RFC 7030 4.4.1): the capability OIDs, in the client's order of preference. */
  readonly smimeCapabilities?: readonly string[];
}

const TAG = { SEQ: 0x30, SET: 0x31, INT: 0x02, BIT: 0x03, OCT: 0x04, OID: 0x06, BOOL: 0x01, ATTRS: 0xa0 } as const;

export function parseCsr(der: Uint8Array): ParsedCsr {
  const top = expectTlv(der, 0, TAG.SEQ, der.length, 'CertificationRequest');
  if (top.end !== der.length) throw bad('trailing bytes after the CertificationRequest');
  const [info, sigAlg, sig, ...extra] = children(der, top, 'CertificationRequest');
  if (!info || !sigAlg || !sig || extra.length) throw bad('CertificationRequest must have 3 fields');
  if (info.tag !== TAG.SEQ) throw bad('certificationRequestInfo is not a SEQUENCE');
  if (!bytesEqual(whole(der, sigAlg), ECDSA_WITH_SHA256_ALGID)) {
    throw bad('signatureAlgorithm must be ecdsa-with-SHA256 (TS-0003 10.1.1.1)');
  }
  if (sig.tag !== TAG.BIT || der[sig.contentStart] !== 0) throw bad('signature is not a BIT STRING');
  const signature = der.subarray(sig.contentStart + 1, sig.end);

  const [version, subject, spki, attrs, ...more] = children(der, info, 'certificationRequestInfo');
  if (!version || !subject || !spki || !attrs || more.length) throw bad('certificationRequestInfo must have 4 fields');
  if (version.tag !== TAG.INT || version.end - version.contentStart !== 1 || der[version.contentStart] !== 0) {
    throw bad('CSR version must be 0 (v1)');
  }
  if (subject.tag !== TAG.SEQ) throw bad('subject is not a Name');
  const publicPoint = readP256Spki(der, spki);
  if (attrs.tag !== TAG.ATTRS) throw bad('attributes [0] missing');

  let challengePassword: string | undefined;
  let san: GeneralName[] | undefined;
  const extensionOids: string[] = [];
  let requestsKeyEncryption = false;
  let keyEncryption: ParsedCsr['keyEncryption'];
  let smimeCapabilities: string[] | undefined;
  for (const attr of children(der, attrs, 'attributes')) {
    if (attr.tag !== TAG.SEQ) throw bad('attribute is not a SEQUENCE');
    const [type, values, ...rest] = children(der, attr, 'attribute');
    if (!type || !values || rest.length || type.tag !== TAG.OID || values.tag !== TAG.SET)
      throw bad('malformed attribute');
    const t = content(der, type);
    const vals = children(der, values, 'attribute values');
    if (bytesEqual(t, OID_CONTENT.challengePassword)) {
      const [v, ...more] = vals;
      if (challengePassword !== undefined || !v || more.length)
        throw bad('challengePassword must have exactly one value');
      // DirectoryString: PrintableString, UTF8String (RFC 2985 5.4.1); IA5 tolerated for old tools
      if (v.tag !== 0x13 && v.tag !== 0x0c && v.tag !== 0x16) throw bad('challengePassword is not a string');
      challengePassword = Buffer.from(content(der, v)).toString('utf8');
    } else if (bytesEqual(t, OID_CONTENT.extensionRequest)) {
      const [value, ...more] = vals;
      if (san !== undefined || !value || more.length) throw bad('extensionRequest must appear once with one value');
      san = readExtensions(der, value, extensionOids);
    } else if (
      bytesEqual(t, OID_CONTENT.decryptKeyIdentifier) ||
      bytesEqual(t, OID_CONTENT.asymmetricDecryptKeyIdentifier)
    ) {
      if (requestsKeyEncryption || vals.length !== 1 || vals[0]!.tag !== TAG.OCT) {
        throw bad('exactly one key-encryption attribute with one OCTET STRING value (RFC 7030 4.4.1)');
      }
      requestsKeyEncryption = true;
      keyEncryption = {
        kind: bytesEqual(t, OID_CONTENT.decryptKeyIdentifier) ? 'symmetric' : 'asymmetric',
        keyIdentifier: content(der, vals[0]!),
      };
    } else if (bytesEqual(t, OID_CONTENT.smimeCapabilities)) {
      if (smimeCapabilities !== undefined || vals.length !== 1 || vals[0]!.tag !== TAG.SEQ) {
        throw bad('SMIMECapabilities must appear once with one SEQUENCE value');
      }
      // SMIMECapabilities ::= SEQUENCE OF SEQUENCE { capabilityID OID, parameters ANY OPTIONAL }
      smimeCapabilities = children(der, vals[0]!, 'SMIMECapabilities').map((cap) => {
        const [id] = cap.tag === TAG.SEQ ? children(der, cap, 'SMIMECapability') : [];
        if (!id || id.tag !== TAG.OID) throw bad('SMIMECapability without a capabilityID');
        return oidToString(content(der, id));
      });
    }
    // Other attributes are ignored: the CA decides the issued content (TS-0003 8.3.6.1 RA role).
  }
  if (!san) throw bad('the CSR has no subjectAltName extension request (TS-0003 10.1.4)');
  return {
    der,
    certificationRequestInfo: whole(der, info),
    subject: whole(der, subject),
    subjectPublicKeyInfo: whole(der, spki),
    publicPoint,
    signature,
    ...(challengePassword !== undefined ? { challengePassword } : {}),
    subjectAltName: san,
    requestedExtensionOids: extensionOids,
    requestsKeyEncryption,
    ...(keyEncryption ? { keyEncryption } : {}),
    ...(smimeCapabilities ? { smimeCapabilities } : {}),
  };
}

/** Checks SubjectPublicKeyInfo is id-ecPublicKey / secp256r1 with an uncompressed point; returns the point. */
export function readP256Spki(buf: Uint8Array, spki: Tlv): Uint8Array {
  if (spki.tag !== TAG.SEQ) throw bad('subjectPublicKeyInfo is not a SEQUENCE');
  const [alg, key, ...rest] = children(buf, spki, 'subjectPublicKeyInfo');
  if (!alg || !key || rest.length) throw bad('subjectPublicKeyInfo must have 2 fields');
  if (!bytesEqual(whole(buf, alg), EC_P256_SPKI_ALGID)) {
    throw bad('public key must be id-ecPublicKey on secp256r1 / P-256 (TS-0003 10.1.1.1)');
  }
  if (key.tag !== TAG.BIT || key.end - key.contentStart !== 66 || buf[key.contentStart] !== 0) {
    throw bad('P-256 public key must be an uncompressed point (TS-0003 10.1.1.1)');
  }
  if (buf[key.contentStart + 1] !== 0x04)
    throw bad('P-256 public key must be an uncompressed point (TS-0003 10.1.1.1)');
  return buf.subarray(key.contentStart + 1, key.end);
}

function readExtensions(der: Uint8Array, exts: Tlv, oids: string[]): GeneralName[] {
  if (exts.tag !== TAG.SEQ) throw bad('extensionRequest value is not Extensions');
  let san: GeneralName[] | undefined;
  const seen = new Set<string>();
  for (const ext of children(der, exts, 'extension')) {
    if (ext.tag !== TAG.SEQ) throw bad('extension is not a SEQUENCE');
    // Extension ::= SEQUENCE { extnID, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }
    const [id, second, third, ...extra] = children(der, ext, 'extension');
    const value = third ?? second;
    if (!id || id.tag !== TAG.OID || !value || extra.length || value.tag !== TAG.OCT) {
      throw bad('malformed extension');
    }
    if (third && second?.tag !== TAG.BOOL) throw bad('malformed extension criticality');
    const key = Buffer.from(content(der, id)).toString('hex');
    if (seen.has(key)) throw bad('an extension appears twice in the extensionRequest');
    seen.add(key);
    oids.push(oidDotted(content(der, id)));
    if (bytesEqual(content(der, id), OID_CONTENT.subjectAltName)) {
      const inner = readTlv(der, value.contentStart, value.end, 'subjectAltName');
      if (inner.end !== value.end) throw bad('trailing bytes in subjectAltName');
      san = parseGeneralNames(der, inner);
    }
  }
  if (!san) throw bad('the CSR has no subjectAltName extension request (TS-0003 10.1.4)');
  return san;
}

function oidDotted(c: Uint8Array): string {
  // small local copy to avoid a BigInt path on the hot loop for short OIDs
  const arcs: number[] = [];
  let v = 0;
  for (const b of c) {
    v = v * 128 + (b & 0x7f);
    if (!(b & 0x80)) {
      arcs.push(v);
      v = 0;
    }
  }
  const first = arcs.shift() ?? 0;
  const head = first < 80 ? [Math.floor(first / 40), first % 40] : [2, first - 80];
  return [...head, ...arcs].join('.');
}

function bad(message: string): EstError {
  return new EstError(400, message);
}
