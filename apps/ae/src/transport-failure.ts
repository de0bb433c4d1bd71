// A failed connection to the registrar as a plain, actionable sentence (issue 19 item 6): what failed and
// which option of the AE's configuration to check, never the raw OpenSSL text. The HTTP sender keeps the
// socket's error as the cause of its 'not reachable' refusal; its code and TLS alert say what happened.
import type { AeFileConfig } from './config.js';

/** Verification failures of the CSE's certificate chain (OpenSSL X509_V_ERR_* as Node names them). */
const UNTRUSTED = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
  'CERT_REJECTED',
]);

/** The TLS alert's name in an OpenSSL error ('sslv3 alert bad record mac' -> 'bad record mac'). */
function alertOf(e: { reason?: unknown; message?: unknown }): string | undefined {
  const text = `${typeof e.reason === 'string' ? e.reason : ''} ${typeof e.message === 'string' ? e.message : ''}`;
  return /alert ([a-z ]+?)(?::|\s*$|\s+SSL)/i.exec(text)?.[1]?.toLowerCase().trim();
}

const list = (files: readonly string[] | undefined) => (files?.length ? files.join(', ') : 'none');

/**
 * The sentence for a transport failure, or undefined when `e` is no connection failure (a oneM2M
 * refusal, a timeout, ...: their own message is already plain).
 */
export function describeTransportFailure(e: unknown, transport: AeFileConfig['transport']): string | undefined {
  const cause = (e as { cause?: unknown } | null)?.cause as
    | { code?: unknown; reason?: unknown; message?: unknown }
    | undefined;
  if (!cause || typeof cause !== 'object') return undefined;
  const code = typeof cause.code === 'string' ? cause.code : '';
  const url = transport.url;
  const alert = alertOf(cause);
  const psk = transport.psk;
  const cert = transport.certificate;
  if (code === 'ECONNREFUSED') return `nothing listens at ${url}: check transport.url and that the CSE is running`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `the host of ${url} cannot be resolved: check transport.url`;
  if (UNTRUSTED.has(code))
    return (
      `the CSE's certificate at ${url} is not issued by a CA this AE trusts (${code}): check ` +
      `transport.certificate.trustAnchors (now: ${list(cert?.trustAnchors)}); they must hold the CA that issued the CSE's certificate`
    );
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID')
    return `the CSE's certificate at ${url} is ${code === 'CERT_HAS_EXPIRED' ? 'expired' : 'not yet valid'}: renew it at the CSE, or check this machine's clock`;
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID')
    return (
      `the CSE's certificate at ${url} does not name '${cert?.servername ?? psk?.servername ?? new URL(url).hostname}': ` +
      'check transport.certificate.servername (the name in the CSE certificate)'
    );
  const tls = code === 'EPROTO' || code.startsWith('ERR_SSL_') || code === 'ECONNRESET';
  if (!tls) return undefined;
  const why = alert ? ` (TLS alert: ${alert})` : code === 'ECONNRESET' ? ' (the CSE closed the connection)' : '';
  if (psk) {
    if (alert === 'unknown psk identity')
      return `the CSE does not know the PSK identity '${psk.identity}' at ${url}${why}: check transport.psk.identity (the credential the CSE holds, e.g. its KpsaID)`;
    return (
      `the TLS-PSK handshake with ${url} failed: the CSE did not accept the key for PSK identity '${psk.identity}'${why}. ` +
      `Check transport.psk.keyFile (${psk.keyFile}) holds the key the CSE has for this identity, and transport.psk.identity`
    );
  }
  if (cert)
    return (
      `the TLS handshake with ${url} failed: the CSE refused this AE's certificate${why}. Check transport.certificate.cert ` +
      `(${cert.cert}) and transport.certificate.key: the certificate must be issued by a CA the CSE trusts and match the key`
    );
  return `the TLS handshake with ${url} failed${why}: check that transport.url is the CSE's https listener and set transport.psk or transport.certificate`;
}

/** The error's message, or the plain sentence when it is a transport failure. */
export function plainError(e: unknown, transport: AeFileConfig['transport'] | undefined): string {
  return (transport && describeTransportFailure(e, transport)) ?? (e as Error).message;
}
