// Client side of the HTTP binding (RFC 6063 section 7.2): each DSKPP request is an HTTP POST of an
// application/dskpp+xml body; the DSKPP response (including DSKPP-level errors) comes back in a
// 200 response of the same type. Anything else is a transport failure.

import type { DskppTransport } from '../client/options.js';
import type { ProvisioningConfirmation } from '../confirmation/confirmation.js';
import { clientFailure } from '../lib/errors.js';
import { DSKPP_MEDIA_TYPE } from '../lib/uris.js';

export interface HttpTransportOptions {
  /** Per-request time limit. Default 30 s. */
  timeoutMs?: number;
  /** A fetch implementation (default: the global one). */
  fetch?: typeof fetch;
  headers?: Record<string, string>;
}

export function httpTransport(url: string, options: HttpTransportOptions = {}): DskppTransport {
  const doFetch = options.fetch ?? fetch;
  return async (requestXml) => {
    let res: Response;
    try {
      res = await doFetch(url, {
        method: 'POST',
        // 7.2.2: requesters SHOULD send Cache-Control "no-cache, no-store" and Pragma "no-cache".
        headers: {
          ...options.headers,
          'content-type': DSKPP_MEDIA_TYPE,
          accept: DSKPP_MEDIA_TYPE,
          'cache-control': 'no-cache, no-store',
          pragma: 'no-cache',
        },
        body: requestXml,
        signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
      });
    } catch (e) {
      throw clientFailure('TransportFailed', `POST ${url} failed: ${e instanceof Error ? e.message : e}`);
    }
    const body = await res.text();
    if (res.status !== 200) throw clientFailure('TransportFailed', `POST ${url} answered HTTP ${res.status}`);
    const type = (res.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase();
    if (type !== DSKPP_MEDIA_TYPE)
      throw clientFailure('TransportFailed', `response is ${type || 'untyped'}, not ${DSKPP_MEDIA_TYPE}`);
    return body;
  };
}

/** Sends a provisioning confirmation to `<DSKPP URL>/confirmation`; resolves with the issuer's verdict. */
export async function postConfirmation(
  url: string,
  confirmation: ProvisioningConfirmation,
  options: HttpTransportOptions = {},
): Promise<{ confirmed: boolean; reason?: string }> {
  const doFetch = options.fetch ?? fetch;
  let res: Response;
  try {
    res = await doFetch(`${url.replace(/\/$/, '')}/confirmation`, {
      method: 'POST',
      headers: { ...options.headers, 'content-type': 'application/json' },
      body: JSON.stringify(confirmation),
      signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
    });
  } catch (e) {
    throw clientFailure('TransportFailed', `POST ${url}/confirmation failed: ${e instanceof Error ? e.message : e}`);
  }
  if (res.status !== 200 && res.status !== 403) {
    throw clientFailure('TransportFailed', `POST ${url}/confirmation answered HTTP ${res.status}`);
  }
  return (await res.json()) as { confirmed: boolean; reason?: string };
}
