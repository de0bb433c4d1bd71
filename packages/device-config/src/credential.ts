// The certificate credential a node holds (its certificate chain, its private key, its trust anchors),
// fingerprints as the <mgmtObj>s carry them (SHA-256 of the DER, 64 lower-case hex digits), and the
// SAEF framework made from it.
import { createHash, createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import type { SaefClientFramework } from '@m2msec/saef';

export interface CertificateCredential {
  /** PEM: the node's certificate first, then its chain. */
  readonly chain: string;
  /** PEM (PKCS#8) private key: stays on the node, never sent anywhere. */
  readonly key: string;
  /** PEM trust anchors the node validates its peers with. */
  readonly trustAnchors: readonly string[];
  /** Name the registrar's certificate must carry (SNI and check). */
  readonly servername: string;
}

export const fingerprintOf = (der: Uint8Array | Buffer): string => createHash('sha256').update(der).digest('hex');

export function pemBlocks(pem: string): string[] {
  return pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}

export const leafOf = (c: CertificateCredential): X509Certificate => new X509Certificate(pemBlocks(c.chain)[0] ?? '');

export const certificateFingerprint = (pem: string): string => fingerprintOf(new X509Certificate(pem).raw);

/** Whether `key` is the private key of the certificate `pem`. */
export function keyMatches(pem: string, key: string): boolean {
  const pub = (k: ReturnType<typeof createPublicKey>) => k.export({ type: 'spki', format: 'der' }).toString('hex');
  return pub(new X509Certificate(pem).publicKey) === pub(createPublicKey(createPrivateKey(key)));
}

export function frameworkOf(c: CertificateCredential): SaefClientFramework {
  return {
    kind: 'certificate',
    cert: c.chain,
    key: c.key,
    trustAnchors: [...c.trustAnchors],
    servername: c.servername,
  };
}
