// The BSF's HTTP resources as routes of the shared HTTP edge (protocol's EdgeRoute). The MEF serves
// ubRoutes where devices reach it (plain HTTP is allowed: HTTP Digest AKA authenticates both ends,
// TS 33.220 4.5.2) and znRoutes on an HTTPS listener for Enrolment Targets. Shapes are TS 24.109's
// (Ub) and this project's Zn (text/plain refusals), unchanged by the edge.
import type { EdgeRequest, EdgeResponse, EdgeRoute } from '@m2msec/protocol';
import { type HttpAnswer, textAnswer } from './answer.js';
import type { Bsf } from './create-bsf.js';

/** Proves which NAF FQDNs a Zn caller speaks for; undefined when it presented no valid credential. */
export type NafAuthenticator = (req: Pick<EdgeRequest, 'transport' | 'headers'>) => readonly string[] | undefined;

export interface ZnRoutesOptions {
  readonly authenticate: NafAuthenticator;
  /** Largest accepted body, bytes; default 4096. */
  readonly maxBodyBytes?: number;
}

const edgeAnswer = (a: HttpAnswer): EdgeResponse => ({ status: a.status, headers: a.headers, body: a.body });

/** Store or SE failures: a plain 500 without details (they stay server-side), never a stack trace. */
const internalError = (): EdgeResponse => edgeAnswer(textAnswer(500, 'BSF internal error; try again later'));

/** Ub (TS 24.109 5.3.2): every request under the mount point is a Ub step; the request target is the Digest uri. */
export function ubRoutes(bsf: Bsf): EdgeRoute[] {
  return [
    {
      method: '*',
      path: '/*',
      async handle(r) {
        const authorization = r.headers.authorization;
        return bsf
          .handleUb({ method: r.method, uri: r.target, ...(authorization !== undefined ? { authorization } : {}) })
          .then(edgeAnswer, internalError);
      },
    },
  ];
}

/** Zn: POST <mount>/ks-naf with {btid, nafFqdn, uaSecurityProtocolId?}. */
export function znRoutes(bsf: Bsf, options: ZnRoutesOptions): EdgeRoute[] {
  const limit = options.maxBodyBytes ?? 4096;
  return [
    {
      method: '*',
      path: '/ks-naf',
      maxBodyBytes: limit,
      tooLarge: edgeAnswer(textAnswer(413, `request body larger than ${limit} bytes`)),
      async handle(r) {
        const contentType = r.headers['content-type'];
        return bsf
          .handleZn({
            method: r.method,
            authenticatedNafFqdns: options.authenticate(r),
            ...(contentType !== undefined ? { contentType } : {}),
            body: r.method === 'POST' ? Buffer.from(r.body) : Buffer.alloc(0),
          })
          .then(edgeAnswer, internalError);
      },
    },
    {
      method: '*',
      path: '/*',
      handle: async () => edgeAnswer(textAnswer(404, 'unknown Zn resource; use POST ks-naf')),
    },
  ];
}
