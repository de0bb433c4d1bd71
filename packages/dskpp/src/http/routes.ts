// Server side of the HTTP binding (RFC 6063 section 7.2) as routes of the shared HTTP edge (protocol's
// EdgeRoute; the MEF mounts them at /dskpp):
//   POST <mount> with Content-Type application/dskpp+xml -> 200 application/dskpp+xml (also for
//   DSKPP-level errors, which travel as a status inside the document); wrong method 405, wrong
//   media type 415, oversized body 413, a document that is no DSKPP client message 400 (7.2.4). Responses are not cacheable (section 7.2.2). Errors outside a
//   DSKPP document are JSON {code, error} (a client cannot get a document for them).
import type { EdgeRequest, EdgeResponse, EdgeRoute } from '@m2msec/protocol';
import type { ProvisioningConfirmation } from '../confirmation/confirmation.js';
import { DSKPP_MEDIA_TYPE } from '../lib/uris.js';
import type { DskppServer } from '../server/server.js';
import { MAX_MESSAGE_BYTES } from '../xml/parse.js';

export interface DskppRoutesOptions {
  /** Body limit in bytes. Default 64 KiB. */
  limit?: number;
}

const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' };

function refuse(status: number, code: string, error: string, extra: Record<string, string> = {}): EdgeResponse {
  return {
    status,
    headers: { ...NO_STORE, ...extra, 'content-type': 'application/json' },
    body: JSON.stringify({ code, error }),
  };
}

/** Media type and charset of a Content-Type value, lower-case. */
function mediaType(value: string | undefined): { type: string; charset?: string } {
  const [type = '', ...params] = (value ?? '').split(';');
  const charset = params
    .map((p) => p.trim().toLowerCase())
    .find((p) => p.startsWith('charset='))
    ?.slice(8)
    .replace(/^"|"$/g, '');
  return { type: type.trim().toLowerCase(), ...(charset ? { charset } : {}) };
}

export function dskppRoutes(server: DskppServer, options: DskppRoutesOptions = {}): EdgeRoute[] {
  const limit = options.limit ?? MAX_MESSAGE_BYTES;
  return [
    {
      method: 'POST',
      path: '/',
      maxBodyBytes: limit,
      async handle(r: EdgeRequest) {
        const ct = mediaType(r.headers['content-type']);
        if (ct.type !== DSKPP_MEDIA_TYPE) {
          return refuse(415, 'UNSUPPORTED_MEDIA_TYPE', `Content-Type must be ${DSKPP_MEDIA_TYPE}`);
        }
        if (ct.charset !== undefined && ct.charset !== 'utf-8' && ct.charset !== 'utf8') {
          return refuse(415, 'UNSUPPORTED_CHARSET', 'DSKPP messages are read as UTF-8 (charset=utf-8)');
        }
        const out = await server.handle(Buffer.from(r.body).toString('utf8'));
        // 7.2.4: "a request ... that is not a DSKPP Client message" is 400; every DSKPP client message,
        // refused or not, is 200 with a DSKPP document.
        if (!out.clientMessage) return refuse(400, 'BAD_REQUEST', 'the body is not a DSKPP client message');
        return { status: 200, headers: { ...NO_STORE, 'content-type': DSKPP_MEDIA_TYPE }, body: out.body };
      },
    },
    // The proof of successful provisioning (docs/dskpp.md section 2): JSON, 200 when confirmed, 403 not.
    {
      method: 'POST',
      path: '/confirmation',
      maxBodyBytes: limit,
      async handle(r: EdgeRequest) {
        let body: unknown;
        if (r.body.length > 0 && mediaType(r.headers['content-type']).type === 'application/json') {
          try {
            body = JSON.parse(Buffer.from(r.body).toString('utf8'));
          } catch {
            return refuse(400, 'BAD_REQUEST', 'the body is not valid JSON');
          }
        }
        // Unchecked shape: verification refuses anything malformed (confirmed: false, 403).
        const out = await server.confirmProvisioning(body as ProvisioningConfirmation);
        return {
          status: out.confirmed ? 200 : 403,
          headers: { ...NO_STORE, 'content-type': 'application/json' },
          body: JSON.stringify(out),
        };
      },
    },
    {
      method: '*',
      path: '/',
      handle: async () => refuse(405, 'METHOD_NOT_ALLOWED', 'DSKPP accepts POST only', { allow: 'POST' }),
    },
  ];
}
