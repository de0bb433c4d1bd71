// TS-0003 clause 10.2: the (D)TLS 1.2 cipher-suite profile. DTLS must support TLS_PSK_WITH_AES_128_CCM_8
// (10.2.2) and TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8 (10.2.3); the CBC-SHA256 suites of the same clauses are
// offered beside them. OpenSSL names, server preference in this order.
export const PSK_SUITES = ['PSK-AES128-CCM8', 'PSK-AES128-CBC-SHA256'] as const;
export const ECDHE_ECDSA_SUITES = ['ECDHE-ECDSA-AES128-CCM8', 'ECDHE-ECDSA-AES128-SHA256'] as const;

/** The OpenSSL cipher string for the modes a context serves. */
export function cipherList(modes: { psk: boolean; certificate: boolean }): string {
  const suites: string[] = [];
  if (modes.psk) suites.push(...PSK_SUITES);
  if (modes.certificate) suites.push(...ECDHE_ECDSA_SUITES);
  return suites.join(':');
}
