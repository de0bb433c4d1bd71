import { EstClientError } from '../errors.js';
import { decodeCertsOnly } from '../pkcs7/certs-only.js';
import type { EstResponse } from './request.js';

export type EnrolmentResult =
  | {
      readonly status: 'issued';
      /** The issued certificate (DER): the first of `certificates`. */
      readonly certificate: Uint8Array;
      readonly certificates: readonly Uint8Array[];
    }
  | { readonly status: 'pending'; readonly retryAfterSeconds: number };

export function failure(r: EstResponse): EstClientError {
  const text = r.body.toString('utf8').trim();
  // This project's EST server answers refusals as JSON {code, error}; other servers as text.
  if (String(r.headers['content-type'] ?? '').startsWith('application/json')) {
    try {
      const j = JSON.parse(text) as { code?: unknown; error?: unknown };
      if (typeof j.error === 'string') {
        return new EstClientError(
          r.status,
          `${typeof j.code === 'string' ? `${j.code}: ` : ''}${j.error}`.slice(0, 300),
        );
      }
    } catch {
      // not JSON after all: the text below
    }
  }
  return new EstClientError(r.status, text.slice(0, 300) || 'no reason given');
}

/** RFC 7030 4.2.3: 200 certs-only, or 202 with Retry-After (delta-seconds or an HTTP-date). */
export function readEnrolmentResponse(r: EstResponse): EnrolmentResult {
  if (r.status === 202) return { status: 'pending', retryAfterSeconds: retryAfter(r.headers['retry-after']) };
  if (r.status !== 200) throw failure(r);
  const certificates = decodeCertsOnly(Buffer.from(r.body.toString('latin1').replace(/\s+/g, ''), 'base64'));
  const [certificate] = certificates;
  if (!certificate) throw new EstClientError(r.status, 'the certs-only response holds no certificate');
  return { status: 'issued', certificate, certificates };
}

function retryAfter(v: string | undefined): number {
  if (!v) return 60;
  if (/^\d+$/.test(v.trim())) return Number(v.trim());
  const t = Date.parse(v);
  return Number.isNaN(t) ? 60 : Math.max(0, Math.ceil((t - Date.now()) / 1000));
}
