// The parts of an X.509 certificate the clause 10.1 profile and the clause 8.2.2.2 binding read,
// decoded with @peculiar/asn1-x509 from the DER Node's TLS stack hands over.
import { AsnConvert, type OctetString } from '@peculiar/asn1-schema';
import {
  Certificate,
  type GeneralName,
  id_ce_keyUsage,
  id_ce_nameConstraints,
  id_ce_subjectAltName,
  KeyUsage,
  KeyUsageFlags,
  SubjectAlternativeName,
} from '@peculiar/asn1-x509';
import { SaefError } from '../lib/errors.js';

export interface SubjectAltNameEntry {
  type: 'dns' | 'uri' | 'ip' | 'email' | 'other';
  value: string;
  /** otherName type-id (an OID) for type 'other'. */
  typeId?: string;
}

export interface ParsedCertificate {
  signatureAlgorithm: string;
  subjectAltNames: SubjectAltNameEntry[];
  /** undefined when the keyUsage extension is absent. */
  digitalSignature: boolean | undefined;
  hasNameConstraints: boolean;
}

const ECDSA_WITH_SHA256 = '1.2.840.10045.4.3.2';

export { ECDSA_WITH_SHA256 };

function otherNameValue(raw: ArrayBuffer): string | undefined {
  // The value is [0] EXPLICIT ANY: accept the string types and OBJECT IDENTIFIER (clause 10.1.1.4.1).
  const bytes = Buffer.from(raw);
  let i = 0;
  if (bytes[i] === 0xa0) {
    i += 1;
    i += bytes[i]! & 0x80 ? 1 + (bytes[i]! & 0x7f) : 1;
  }
  const tag = bytes[i];
  let len = bytes[i + 1]!;
  let off = i + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    len = 0;
    for (let k = 0; k < n; k++) len = (len << 8) | bytes[off + k]!;
    off += n;
  }
  const body = bytes.subarray(off, off + len);
  if (body.length !== len) return undefined;
  if (tag === 0x0c || tag === 0x16 || tag === 0x13) return body.toString('utf8');
  if (tag === 0x06 || tag === 0x0d) return decodeOid(body, tag === 0x06);
  return undefined;
}

function decodeOid(body: Buffer, absolute: boolean): string {
  const arcs: string[] = [];
  let v = 0n;
  for (const b of body) {
    v = (v << 7n) | BigInt(b & 0x7f);
    if ((b & 0x80) === 0) {
      if (absolute && arcs.length === 0) {
        const first = v < 80n ? v / 40n : 2n;
        arcs.push(String(first), String(v - first * 40n));
      } else arcs.push(String(v));
      v = 0n;
    }
  }
  return arcs.join('.');
}

function sanEntry(n: GeneralName): SubjectAltNameEntry | undefined {
  if (n.dNSName !== undefined) return { type: 'dns', value: n.dNSName };
  if (n.uniformResourceIdentifier !== undefined) return { type: 'uri', value: n.uniformResourceIdentifier };
  if (n.rfc822Name !== undefined) return { type: 'email', value: n.rfc822Name };
  if (n.iPAddress !== undefined) return { type: 'ip', value: n.iPAddress };
  if (n.otherName !== undefined) {
    const value = otherNameValue(n.otherName.value);
    return value === undefined ? undefined : { type: 'other', typeId: n.otherName.typeId, value };
  }
  return undefined;
}

/** Decodes a DER certificate; SaefError CERTIFICATE_PROFILE when it does not parse. */
export function parseCertificate(der: Uint8Array): ParsedCertificate {
  let cert: Certificate;
  try {
    cert = AsnConvert.parse(der, Certificate);
  } catch (e) {
    throw new SaefError('CERTIFICATE_PROFILE', `certificate does not parse as X.509: ${(e as Error).message}`);
  }
  const out: ParsedCertificate = {
    signatureAlgorithm: cert.signatureAlgorithm.algorithm,
    subjectAltNames: [],
    digitalSignature: undefined,
    hasNameConstraints: false,
  };
  try {
    readExtensions(cert, out);
  } catch (e) {
    // A malformed extension inside a well-formed certificate (found by fuzz/: certificate-der) is the
    // same refusal as a certificate that does not parse, never a bare asn1-schema error.
    throw new SaefError('CERTIFICATE_PROFILE', `certificate extension does not parse: ${(e as Error).message}`);
  }
  return out;
}

function readExtensions(cert: Certificate, out: ParsedCertificate): void {
  for (const ext of cert.tbsCertificate.extensions ?? []) {
    const value = (ext.extnValue as OctetString).buffer;
    if (ext.extnID === id_ce_subjectAltName) {
      for (const n of AsnConvert.parse(value, SubjectAlternativeName)) {
        const e = sanEntry(n);
        if (e) out.subjectAltNames.push(e);
      }
    } else if (ext.extnID === id_ce_keyUsage) {
      const ku = AsnConvert.parse(value, KeyUsage);
      out.digitalSignature = (ku.toNumber() & KeyUsageFlags.digitalSignature) !== 0;
    } else if (ext.extnID === id_ce_nameConstraints) {
      out.hasNameConstraints = true;
    }
  }
}
