// The EST server (RFC 7030) independent of the HTTP framework: one call per request, the
// operation name and label already split from the path. Errors become short plain-text answers.
import { availableParallelism } from 'node:os';
import { CsrVerifyPool } from '../csr/verify-pool.js';
import { EstError, isEstError } from '../errors.js';
import { cacertsHandler } from './cacerts.js';
import { requestIdentity } from './check-request.js';
import { csrattrsHandler } from './csrattrs.js';
import { fullcmc } from './fullcmc.js';
import { errorResponse } from './responses.js';
import { serverkeygen } from './serverkeygen.js';
import { simpleenroll } from './simpleenroll.js';
import { simplereenroll } from './simplereenroll.js';
import type { EstHttpRequest, EstHttpResponse, EstServerOptions } from './types.js';

export interface EstServer {
  readonly options: EstServerOptions;
  /** Answers one request for `operation` (the last path segment). Never throws. */
  handle(operation: string, req: EstHttpRequest): Promise<EstHttpResponse>;
  /** Stops the signature-check workers (they never keep a process alive on their own). */
  close(): Promise<void>;
}

const METHODS: Record<string, 'GET' | 'POST'> = {
  cacerts: 'GET',
  csrattrs: 'GET',
  simpleenroll: 'POST',
  simplereenroll: 'POST',
  serverkeygen: 'POST',
  fullcmc: 'POST',
};

const LABEL = /^[A-Za-z0-9._~-]{1,64}$/;

export function createEstServer(input: EstServerOptions): EstServer {
  const threads = input.verifyThreads ?? (availableParallelism() > 1 ? 1 : 0);
  const verifyPool = threads > 0 ? new CsrVerifyPool(threads) : undefined;
  const options: EstServerOptions = verifyPool ? Object.assign({}, input, { verifyPool }) : input;
  const cacerts = cacertsHandler(options);
  const csrattrs = csrattrsHandler(options);
  const labels = new Set(options.labels ?? []);

  async function dispatch(operation: string, req: EstHttpRequest): Promise<EstHttpResponse> {
    if (req.label !== undefined && (!LABEL.test(req.label) || !labels.has(req.label))) {
      throw new EstError(404, 'unknown EST label');
    }
    const method = METHODS[operation];
    if (!method) throw new EstError(404, 'unknown EST operation');
    if (req.method !== method && !(method === 'GET' && req.method === 'HEAD')) {
      return errorResponse(405, `${operation} takes ${method}`, { allow: method });
    }
    if (!req.tls) throw new EstError(403, 'EST is served over TLS only (RFC 7030 3.3)');
    if (req.hasAuthorizationHeader && !options.httpAuthentication) {
      throw new EstError(
        403,
        'HTTP-based client authentication is not accepted (TS-0003 8.3.6.2.1); authenticate in TLS',
      );
    }
    switch (operation) {
      case 'cacerts':
        return cacerts();
      case 'csrattrs':
        return csrattrs(requestIdentity(req, options), req.label);
      case 'simpleenroll':
        return simpleenroll(options, req);
      case 'simplereenroll':
        return simplereenroll(options, req);
      case 'fullcmc':
        return fullcmc(options, req);
      default:
        return serverkeygen(options, req);
    }
  }

  return {
    options: input,
    close: async () => verifyPool?.close(),
    async handle(operation, req) {
      try {
        return await dispatch(operation, req);
      } catch (e) {
        if (isEstError(e)) {
          options.logger?.info('est request refused', { operation, status: e.status, reason: e.message });
          return errorResponse(e.status, e.message);
        }
        options.logger?.warn('est internal error', { operation, error: (e as Error)?.name ?? 'unknown' });
        return errorResponse(500, 'internal error; the EST server log has the details');
      }
    },
  };
}
