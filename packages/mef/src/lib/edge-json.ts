// JSON over the shared HTTP edge for the MEF's admin API: bodies parsed only when declared
// application/json (like a JSON body parser), refused without quoting the body; JSON answers; and the
// administrating stakeholder's bearer token, compared in constant time, in front of a set of routes.
import { createHash, timingSafeEqual } from 'node:crypto';
import {
  checkJsonDepth,
  clientErrorOf,
  type EdgeRequest,
  type EdgeResponse,
  type EdgeRoute,
  errorLogFields,
  M2MError,
  ResponseStatusCode,
} from '@m2msec/protocol';

export function jsonBody(r: Pick<EdgeRequest, 'body' | 'headers'>): unknown {
  const type = (r.headers['content-type'] ?? '').split(';', 1)[0]!.trim().toLowerCase();
  if (type !== 'application/json' || r.body.length === 0) return undefined;
  const text = Buffer.from(r.body).toString('utf8');
  checkJsonDepth(text);
  try {
    return JSON.parse(text);
  } catch {
    throw new M2MError(ResponseStatusCode.BAD_REQUEST, 'the body is not valid JSON', 'BODY_NOT_JSON');
  }
}

export function jsonAnswer(status: number, body: unknown): EdgeResponse {
  return { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

/**
 * A failed admin operation as {code, error} with its rsc: the HTTP edge picks the status by the one TS-0009
 * table (docs/errors.md), never this role. A failure nobody anticipated is 5000 INTERNAL with a fixed text,
 * its cause in one log line (code and escaped reason, never a stack or the body).
 */
export function jsonRefusal(
  e: unknown,
  log?: (message: string, fields: Record<string, unknown>) => void,
): EdgeResponse {
  const c = clientErrorOf(e);
  if (c.internal) log?.('admin request failed with an unexpected error', errorLogFields(e));
  return {
    rsc: c.rsc,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ code: c.code, error: c.message }),
  };
}

/** The routes, each answering 401 unless the request carries `Authorization: Bearer <token>`. */
export function withBearerToken(token: string, routes: readonly EdgeRoute[]): EdgeRoute[] {
  const expected = createHash('sha256').update(`Bearer ${token}`).digest();
  return routes.map((route) => ({
    ...route,
    handle(req) {
      const got = createHash('sha256')
        .update(req.headers.authorization ?? '')
        .digest();
      if (!timingSafeEqual(got, expected)) {
        return Promise.resolve(jsonAnswer(401, { code: 'UNAUTHORIZED', error: 'admin API: bearer token required' }));
      }
      return route.handle(req);
    },
  }));
}
