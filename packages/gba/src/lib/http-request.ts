// A small HTTP(S) client over node:http(s) so callers control the Agent (keep-alive, CA, client certificate).
import http from 'node:http';
import https from 'node:https';
import { GbaError } from './errors.js';

export interface HttpResult {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Buffer;
}

export interface HttpRequestOptions {
  readonly method: string;
  readonly headers?: Record<string, string>;
  readonly body?: Uint8Array;
  readonly agent?: http.Agent;
  readonly timeoutMs?: number;
  readonly maxResponseBytes?: number;
}

export function httpRequest(url: URL, options: HttpRequestOptions): Promise<HttpResult> {
  const mod = url.protocol === 'https:' ? https : url.protocol === 'http:' ? http : undefined;
  if (!mod) return Promise.reject(new GbaError(400, 'ERR_PROTOCOL', `unsupported URL scheme ${url.protocol}`));
  const limit = options.maxResponseBytes ?? 64 * 1024;
  return new Promise((resolve, reject) => {
    const req = mod.request(
      url,
      {
        method: options.method,
        headers: { ...(options.body ? { 'content-length': String(options.body.length) } : {}), ...options.headers },
        ...(options.agent ? { agent: options.agent } : {}),
        timeout: options.timeoutMs ?? 30_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > limit) {
            req.destroy(new GbaError(502, 'ERR_PROTOCOL', `response larger than ${limit} bytes`));
            return;
          }
          chunks.push(c);
        });
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new GbaError(504, 'ERR_PROTOCOL', `no answer from ${url.host} in time`)));
    req.on('error', reject);
    req.end(options.body);
  });
}
