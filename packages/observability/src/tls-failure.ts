// A TLS handshake that failed below the request layer, as one security line with an actionable reason
// (issue 19 items 2 and 6): a wrong PSK, a missing or untrusted client certificate. A client that closed
// the connection itself (a port probe, a cancelled request) refused nothing: that is a debug line only.
import type { Logger } from 'pino';
import type { Metrics } from './metrics.js';
import { handshakeRefused } from './security-event.js';

export interface TlsFailure {
  /** 'psk' or 'certificate' (the listener's framework). */
  framework: string;
  channel: string;
  /** The error's code (Node's ERR_SSL_* / ECONNRESET) or, without one, its message. */
  code?: string;
  /** The psk_identity the peer offered, when the handshake got that far (public: TS-0003 8.2.2). */
  identity?: string;
  peer?: string;
}

const CLIENT_GONE = new Set(['ECONNRESET', 'ECONNABORTED', 'EPIPE', 'ERR_SOCKET_CLOSED']);

/** What the operator (or the device's owner) should check, from the OpenSSL code. */
export function explainTlsFailure(f: TlsFailure): string {
  const code = f.code ?? 'unknown';
  if (f.framework === 'psk' && f.identity && /BAD_PSK_BINDER|DECRYPT|BAD_RECORD_MAC|BINDER/i.test(code)) {
    return `the PSK offered for identity '${f.identity}' does not match the key provisioned for it (${code}): check the device's key file`;
  }
  if (/PEER_DID_NOT_RETURN_A_CERTIFICATE|CERTIFICATE_REQUIRED/i.test(code)) {
    return `no client certificate was presented; this listener requires one (${code})`;
  }
  if (/UNKNOWN_CA|CERTIFICATE_VERIFY_FAILED|UNABLE_TO_GET_ISSUER|SELF_SIGNED/i.test(code)) {
    return `the client certificate does not chain to a configured trust anchor (${code})`;
  }
  if (/CERTIFICATE_EXPIRED|CERTIFICATE_REVOKED/i.test(code)) return `the client certificate is not valid now (${code})`;
  if (/NO_SHARED_CIPHER|UNSUPPORTED_PROTOCOL|WRONG_VERSION|NO_PROTOCOLS|VERSION_TOO_LOW/i.test(code)) {
    return `no common TLS version or cipher suite (${code})`;
  }
  return `TLS handshake failed (${code})`;
}

export function tlsHandshakeFailed(log: Logger, metrics: Metrics | undefined, f: TlsFailure): void {
  if (f.code && CLIENT_GONE.has(f.code)) {
    log.debug({ channel: f.channel, code: f.code, peer: f.peer }, 'TLS handshake abandoned by the client');
    return;
  }
  handshakeRefused(log, metrics, {
    framework: f.framework,
    channel: f.channel,
    ...(f.identity ? { identity: f.identity } : {}),
    ...(f.peer ? { peer: f.peer } : {}),
    reason: explainTlsFailure(f),
    message: 'TLS handshake refused',
  });
}
