// [myCertFileCred] without a certificate given: the node enrols a new certificate at the MEF over EST
// (TS-0003 8.3.6; RFC 7030 4.2.2 simplereenroll), authenticated by its current certificate, with a new
// key pair made here (the private key never leaves the node) and the CSR bound to the TLS session
// (channel binding in challengePassword, RFC 7030 3.5). The new certificate keeps the current one's names.
import { webcrypto, X509Certificate } from 'node:crypto';
import type { LookupFunction } from 'node:net';
import { createCsr, fetchCaCertificates, type GeneralName, simpleEnroll, simpleReenroll } from '@m2msec/est';
import { type CertificateCredential, leafOf } from './credential.js';

export interface EstEndpoint {
  /** https://<fqdn>:<httpPort>/.well-known/est */
  baseUrl: string;
  /** Trust anchors for the EST server's certificate. */
  ca: readonly string[];
  connectAddress?: string;
  timeoutMs?: number;
}

/** The SAN of a certificate as EST GeneralNames (dNSName and URI, the TS-0003 10.1.1 profiles). */
function namesOf(cert: X509Certificate): GeneralName[] {
  return (cert.subjectAltName ?? '')
    .split(/,\s*/)
    .map((n) => n.trim())
    .flatMap((n): GeneralName[] =>
      n.startsWith('URI:')
        ? [{ type: 'uri', value: n.slice(4) }]
        : n.startsWith('DNS:')
          ? [{ type: 'dns', value: n.slice(4) }]
          : [],
    );
}

const toPem = (der: Uint8Array | ArrayBuffer, label: string) =>
  `-----BEGIN ${label}-----\n${Buffer.from(der as ArrayBuffer)
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
    .replace(/\n$/, '')}\n-----END ${label}-----\n`;

export interface Enrolled {
  chain: string;
  key: string;
  certificate: X509Certificate;
  /** A re-enrolment (the current certificate was of this CA), not a first enrolment. */
  renewal: boolean;
}

export async function enrolNewCertificate(current: CertificateCredential, est: EstEndpoint): Promise<Enrolled> {
  const leaf = leafOf(current);
  const names = namesOf(leaf);
  if (!names.length) throw new Error('the current certificate names no URI or DNS subjectAltName to keep');
  const keys = (await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
    'sign',
    'verify',
  ])) as webcrypto.CryptoKeyPair;
  const lookup: LookupFunction | undefined = est.connectAddress
    ? (_h, _o, cb) =>
        (cb as (e: null, a: Array<{ address: string; family: number }>) => void)(null, [
          { address: est.connectAddress!, family: 4 },
        ])
    : undefined;
  const target = {
    baseUrl: est.baseUrl,
    tls: {
      cert: current.chain,
      key: current.key,
      ca: [...est.ca],
      ...(lookup ? { lookup } : {}),
    },
    timeoutMs: est.timeoutMs ?? 30_000,
  };
  // RFC 7030 4.2.2: re-enrolment renews a certificate of this CA; a certificate of another CA (the
  // manufacturer's, an earlier operator's) asks for a first enrolment, authenticated by it.
  const cas = (await fetchCaCertificates(target)).map((d) => new X509Certificate(d));
  const renewal = cas.some((ca) => leaf.checkIssued(ca) && leaf.verify(ca.publicKey));
  const result = await (renewal ? simpleReenroll : simpleEnroll)(target, async (binding) =>
    createCsr({
      key: keys,
      subject: leaf.subject.split('\n').reverse().join(','),
      subjectAltName: names,
      ...(binding ? { challengePassword: binding } : {}),
    }),
  );
  if (result.status !== 'issued') {
    throw new Error(`the MEF answered pending (retry after ${result.retryAfterSeconds} s)`);
  }
  const certificate = new X509Certificate(result.certificate);
  const chain = [certificate.toString(), ...result.certificates.slice(1).map((c) => new X509Certificate(c).toString())]
    .map((p) => p.trim())
    .join('\n');
  const key = toPem(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey), 'PRIVATE KEY');
  return { chain: `${chain}\n`, key, certificate, renewal };
}
