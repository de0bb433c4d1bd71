// TS-0003 10.2: certificate frameworks use ECDHE_ECDSA; TLS must support
// TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256 (OpenSSL: ECDHE-ECDSA-AES128-SHA256). The GCM suite is
// offered beside it; TLS 1.3 suites when the listener allows TLS 1.3.
export const TLS12_ECDHE_ECDSA_CIPHERS = ['ECDHE-ECDSA-AES128-SHA256', 'ECDHE-ECDSA-AES128-GCM-SHA256'] as const;
export const TLS13_CIPHERS = [
  'TLS_AES_128_GCM_SHA256',
  'TLS_AES_256_GCM_SHA384',
  'TLS_CHACHA20_POLY1305_SHA256',
] as const;

export function certificateCipherList(tls13: boolean): string {
  return [...TLS12_ECDHE_ECDSA_CIPHERS, ...(tls13 ? TLS13_CIPHERS : [])].join(':');
}

/** Clause 10.1: P-256 keys, SHA-256 signatures. */
export const CERTIFICATE_SIGALGS = 'ecdsa_secp256r1_sha256';
export const ECDH_CURVE = 'P-256';
