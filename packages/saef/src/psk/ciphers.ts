// TS-0003 10.2: PSK frameworks use RFC 4279 key exchange; TLS must support
// TLS_PSK_WITH_AES_128_CBC_SHA256. The GCM suite (RFC 5487) and CCM_8 (RFC 6655, the DTLS mandate)
// are offered beside it. OpenSSL names, as Node's `ciphers` option wants them.
export const TLS12_PSK_CIPHERS = ['PSK-AES128-CBC-SHA256', 'PSK-AES128-GCM-SHA256', 'PSK-AES128-CCM8'] as const;

/** TLS 1.3 external PSKs work in Node only with SHA-256 suites (the PSK's hash is SHA-256). */
export const TLS13_PSK_CIPHERS = ['TLS_AES_128_GCM_SHA256', 'TLS_CHACHA20_POLY1305_SHA256'] as const;

export function pskCipherList(tls13: boolean): string {
  return [...TLS12_PSK_CIPHERS, ...(tls13 ? TLS13_PSK_CIPHERS : [])].join(':');
}
