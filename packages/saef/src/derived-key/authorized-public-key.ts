// AuthorizedPublicKey mode inside a (D)TLS handshake: the client presents a self-signed certificate for
// its key that carries the TA's MacCert in a private extension; the resource server checks it in the
// certificate-verify step (before Finished), so a refusal is a handshake alert, not a closed session:
//   TA_id known                          else unknown_ca
//   MacCert well-formed, SPKI parses     else bad_certificate
//   MAC valid under K_RS-TA              else bad_certificate
//   MacCert key = the certificate's key  else bad_certificate (the CertificateVerify proves possession)
//   sequence number fresh in the window  else bad_certificate
// As in DerivedKey mode the window moves only in accept(), once the handshake has completed.
// The extension OID is a UUID OID (X.667, arc 2.25), as no registered arc exists for it.
import { createHash, X509Certificate } from 'node:crypto';
import { ReplayWindow } from '@m2msec/crypto';
import { AsnConvert, type OctetString } from '@peculiar/asn1-schema';
import { Certificate } from '@peculiar/asn1-x509';
import { type MacCert, macCertMatchesCertificate, verifyMacCert } from './mac-cert.js';
import { derivedKeyWindowSize } from './resource-server.js';

export const MAC_CERT_EXTENSION_OID = '2.25.222984775336250878190829491847689206262';

export type AuthorizedPublicKeyVerdict =
  | { ok: true; macCert: MacCert }
  | { ok: false; alert: 'bad_certificate' | 'unknown_ca'; reason: string };

/** DER of an OID with BigInt arcs (the 2.25 UUID arc exceeds what the ASN.1 library's OID strings keep). */
function oidDer(oid: string): Buffer {
  const arcs = oid.split('.').map((a) => BigInt(a));
  const body: number[] = [];
  const push = (v: bigint) => {
    const bytes = [Number(v & 0x7fn)];
    for (let x = v >> 7n; x > 0n; x >>= 7n) bytes.unshift(Number(x & 0x7fn) | 0x80);
    body.push(...bytes);
  };
  push(arcs[0]! * 40n + arcs[1]!);
  for (const a of arcs.slice(2)) push(a);
  return Buffer.from([0x06, body.length, ...body]);
}

const MAC_CERT_OID_DER = oidDer(MAC_CERT_EXTENSION_OID);

/** Reads a DER length at `at`: [length, offset of the content]; undefined when malformed. */
function derLength(b: Buffer, at: number): [number, number] | undefined {
  const first = b[at];
  if (first === undefined) return undefined;
  if (first < 0x80) return [first, at + 1];
  const n = first & 0x7f;
  if (n === 0 || n > 3 || at + 1 + n > b.length) return undefined;
  let len = 0;
  for (let i = 0; i < n; i++) len = len * 256 + b[at + 1 + i]!;
  return [len, at + 1 + n];
}

/**
 * The MacCert bytes a certificate carries, or undefined. Throws on a certificate that does not parse.
 * The ASN.1 library mangles the 128-bit arc of the OID, so the extension is found by its encoded extnID
 * in the DER and cross-checked against the extensions the library parsed (same extnValue).
 */
export function macCertOfCertificate(der: Uint8Array): Buffer | undefined {
  const raw = Buffer.from(der);
  const cert = AsnConvert.parse(raw, Certificate);
  const values = (cert.tbsCertificate.extensions ?? [])
    .filter((e) => e.extnID.startsWith('2.25.'))
    .map((e) => Buffer.from((e.extnValue as OctetString).buffer));
  for (let at = raw.indexOf(MAC_CERT_OID_DER); at >= 0; at = raw.indexOf(MAC_CERT_OID_DER, at + 1)) {
    let p = at + MAC_CERT_OID_DER.length;
    if (raw[p] === 0x01 && raw[p + 1] === 0x01) p += 3; // critical BOOLEAN
    if (raw[p] !== 0x04) continue;
    const l = derLength(raw, p + 1);
    if (l === undefined || l[1] + l[0] > raw.length) continue;
    const value = raw.subarray(l[1], l[1] + l[0]);
    if (values.some((v) => v.equals(value))) return Buffer.from(value);
  }
  return undefined;
}

export class AuthorizedPublicKeyVerifier {
  readonly #keys = new Map<string, Buffer>();
  readonly #windows = new Map<string, ReplayWindow>();

  constructor(o: { trustAnchors: ReadonlyArray<{ taId: string; key: Uint8Array }>; windowSize?: number }) {
    const size = derivedKeyWindowSize(o.windowSize);
    for (const ta of o.trustAnchors) {
      this.#keys.set(ta.taId, Buffer.from(ta.key));
      this.#windows.set(ta.taId, new ReplayWindow(size));
    }
  }

  /** During the handshake (certificate-verify callback): changes nothing. */
  check(leafDer: Uint8Array): AuthorizedPublicKeyVerdict {
    let bytes: Buffer | undefined;
    try {
      bytes = macCertOfCertificate(leafDer);
    } catch {
      return { ok: false, alert: 'bad_certificate', reason: 'certificate does not parse' };
    }
    if (bytes === undefined) return { ok: false, alert: 'bad_certificate', reason: 'certificate carries no MacCert' };
    let mc: MacCert;
    let unknownTa = false;
    try {
      mc = verifyMacCert(bytes, (taId) => {
        const k = this.#keys.get(taId);
        if (k === undefined) unknownTa = true;
        return k;
      });
    } catch (e) {
      return { ok: false, alert: unknownTa ? 'unknown_ca' : 'bad_certificate', reason: (e as Error).message };
    }
    try {
      new X509Certificate(leafDer);
      if (!macCertMatchesCertificate(mc, leafDer))
        return { ok: false, alert: 'bad_certificate', reason: 'MacCert key is not the certificate key' };
    } catch {
      return { ok: false, alert: 'bad_certificate', reason: 'certificate key unreadable' };
    }
    const verdict = this.#windows.get(mc.taId)!.check(mc.sequenceNumber);
    if (!verdict.ok)
      return { ok: false, alert: 'bad_certificate', reason: `MacCert sequence number ${verdict.reason}` };
    return { ok: true, macCert: mc };
  }

  /** After the handshake completed: checks again (a concurrent session may have won) and marks the number. */
  accept(leafDer: Uint8Array): AuthorizedPublicKeyVerdict {
    const v = this.check(leafDer);
    if (v.ok) this.#windows.get(v.macCert.taId)!.accept(v.macCert.sequenceNumber);
    return v;
  }
}

/**
 * The Credential-ID of an AuthorizedPublicKey client (TS-0003 10.4 type 12, as DerivedKey's
 * 12-DK.<TA_id>.<C_id>): 12-APK.<TA_id>.<first 16 bytes of SHA-256(SPKI), hex>. The MacCert names no client,
 * so the key is the identity; bindings and administrators refer to this ID.
 */
export function authorizedPublicKeyCredentialId(mc: MacCert): string {
  return `12-APK.${mc.taId}.${createHash('sha256').update(mc.publicKey).digest('hex').slice(0, 32)}`;
}
