// A client's failed TLS handshake in words its user can act on (issue 19 item 6: "the PSK for identity X
// does not match: check --kpm-file", never raw OpenSSL text alone). Node reports the server's alert only
// inside OpenSSL's message ("... sslv3 alert bad record mac ..."); the alert is what tells wrong key from
// unknown identity from untrusted certificate.
export interface TlsClientContext {
  /** The PSK identity offered (public). */
  identity?: string;
  /** Where the key came from, e.g. '--kpm-file' or 'transport.psk.keyFile'. */
  keySource?: string;
  /** Where the identity came from, e.g. '--kpm-id'. */
  identitySource?: string;
  /** The server, e.g. 'the MEF'. */
  server?: string;
}

const alertOf = (message: string): string | undefined =>
  /alert ([a-z0-9 _]+?)(?::|$)/i.exec(message)?.[1]?.trim().toLowerCase();

/** The explanation, or undefined when the error is not a TLS handshake failure this knows. */
export function explainTlsClientError(e: unknown, c: TlsClientContext = {}): string | undefined {
  const message = String((e as Error)?.message ?? e);
  const alert = alertOf(message);
  const server = c.server ?? 'the server';
  const id = c.identity ? ` '${c.identity}'` : '';
  if (!alert) {
    if (/ECONNREFUSED/.test(message)) return `${server} is not listening there (connection refused)`;
    return undefined;
  }
  if (/bad record mac|decrypt error|decryption failed/.test(alert)) {
    return `the PSK for identity${id} does not match the one ${server} holds: check ${c.keySource ?? 'the key file'} (TLS alert: ${alert})`;
  }
  if (/unknown psk identity/.test(alert)) {
    return `${server} does not know the PSK identity${id}: check ${c.identitySource ?? 'the identity'}, and that it was provisioned there (TLS alert: ${alert})`;
  }
  if (
    /unknown ca|bad certificate|certificate unknown|certificate required|certificate revoked|certificate expired/.test(
      alert,
    )
  ) {
    return `${server} refused this client's certificate (TLS alert: ${alert}): check the certificate, its chain to the server's trust anchors, and its validity`;
  }
  if (/handshake failure|protocol version|insufficient security/.test(alert)) {
    return `no TLS version or cipher suite in common with ${server} (TLS alert: ${alert})`;
  }
  return `${server} ended the TLS handshake (TLS alert: ${alert})`;
}
