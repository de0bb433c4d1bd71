// RequestSender for http/https points of access (TS-0009 clause 6 at the originator), used by the CSE
// for notifications and retargeting. node:http with keep-alive agents: one connection pool per origin.
import http from 'node:http';
import https from 'node:https';
import {
  M2MError,
  Operation,
  type RequestPrimitive,
  type RequestSender,
  type ResponsePrimitive,
  ResponseStatusCode,
  type SendOptions,
} from '@m2msec/protocol';
import { decodeHttpResponse } from './decode-response.js';
import { encodeHttpRequest } from './encode-request.js';

export interface HttpRequestSenderOptions {
  /** Default time for a whole exchange (connect, send, response body) in ms; default 10 s. */
  timeoutMs?: number;
  /** Largest accepted response body in bytes (default 1 MiB). */
  maxResponseBytes?: number;
  /** Agents to use instead of the sender's own keep-alive agents (e.g. an https.Agent with TLS credentials). */
  httpAgent?: http.Agent;
  httpsAgent?: https.Agent;
}

const unreachable = (message: string) => new M2MError(ResponseStatusCode.TARGET_NOT_REACHABLE, message);

/** scheme://host[:port] of a URL: what an error may name (never user-info, path or query). */
const originOf = (url: URL) => `${url.protocol}//${url.host}`;

export class HttpRequestSender implements RequestSender {
  readonly schemes = ['http', 'https'] as const;
  readonly #timeoutMs: number;
  readonly #maxResponseBytes: number;
  readonly #httpAgent: http.Agent;
  readonly #httpsAgent: https.Agent;
  readonly #ownAgents: http.Agent[] = [];

  constructor(opts: HttpRequestSenderOptions = {}) {
    this.#timeoutMs = opts.timeoutMs ?? 10_000;
    this.#maxResponseBytes = opts.maxResponseBytes ?? 1024 * 1024;
    this.#httpAgent = opts.httpAgent ?? this.#own(new http.Agent({ keepAlive: true, maxSockets: 64 }));
    this.#httpsAgent = opts.httpsAgent ?? this.#own(new https.Agent({ keepAlive: true, maxSockets: 64 }));
  }

  #own<A extends http.Agent>(agent: A): A {
    this.#ownAgents.push(agent);
    return agent;
  }

  /**
   * Sends `req` to `poa`. A NOTIFY goes to the point of access exactly as given (it is the notification
   * target's URI) unless `opts.retarget`; any other operation, and a retargeted NOTIFY, goes to poa's
   * path + the origin-form of To (6.2.2.1).
   * Rejects with M2MError 4008 on timeout, 5103 when the target cannot be reached, 5000 when the
   * peer's answer is not a TS-0009 response.
   */
  async send(poa: string, req: RequestPrimitive, opts: SendOptions = {}): Promise<ResponsePrimitive> {
    let url: URL;
    try {
      url = new URL(poa);
    } catch {
      throw unreachable('point of access is not a URL');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw unreachable(`point of access scheme '${url.protocol.slice(0, -1)}' is not http or https`);
    }
    const encoded = encodeHttpRequest(req);
    let path: string;
    if (req.op === Operation.NOTIFY && opts.retarget !== true) path = url.pathname + url.search;
    else {
      const [target, query] = splitTarget(encoded.target);
      const base = url.pathname.replace(/\/+$/, '');
      const search = [url.search.slice(1), query].filter((s) => s !== '').join('&');
      path = base + target + (search === '' ? '' : `?${search}`);
    }
    const headers: Record<string, string | number> = { ...encoded.headers };
    // A pinned address (checked by the caller's target policy): connect there, name the host in Host (and,
    // for https, SNI and the certificate check, which Node derives from the Host header).
    const pinned = opts.connectAddress;
    if (pinned !== undefined) headers.Host = url.host;
    const body = encoded.body === undefined ? undefined : Buffer.from(encoded.body, 'utf8');
    if (body !== undefined) headers['Content-Length'] = body.byteLength;
    const timeoutMs = opts.timeoutMs ?? this.#timeoutMs;
    const where = originOf(url);

    const { headersDistinct, payload } = await new Promise<{
      headersDistinct: http.IncomingHttpHeaders & Record<string, string[]>;
      payload: Buffer;
    }>((resolve, reject) => {
      let settled = false;
      const finish = (err: M2MError | undefined, value?: { headersDistinct: never; payload: Buffer }) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (err !== undefined) {
          request.destroy();
          reject(err);
        } else resolve(value!);
      };
      const transport = url.protocol === 'https:' ? https : http;
      let request: http.ClientRequest;
      try {
        request = transport.request({
          protocol: url.protocol,
          hostname: pinned ?? url.hostname.replace(/^\[(.*)\]$/, '$1'),
          port: url.port === '' ? undefined : Number(url.port),
          method: encoded.method,
          path,
          headers,
          agent: url.protocol === 'https:' ? this.#httpsAgent : this.#httpAgent,
        });
      } catch (e) {
        // Node validates header values synchronously (CR/LF, non-Latin-1): never echo them.
        const code = (e as { code?: string }).code ?? 'invalid request';
        reject(new M2MError(ResponseStatusCode.BAD_REQUEST, `request cannot be sent over HTTP (${code})`));
        return;
      }
      const timer = setTimeout(
        () =>
          finish(new M2MError(ResponseStatusCode.REQUEST_TIMEOUT, `no response from ${where} within ${timeoutMs} ms`)),
        timeoutMs,
      );
      request.on('error', (e: NodeJS.ErrnoException) => {
        // The socket's error stays as the cause (never in the message): a caller may explain a TLS
        // failure by its code and alert (the AE does); the message names the code only.
        const err = unreachable(`${where} is not reachable (${e.code ?? 'connection failed'})`);
        Object.defineProperty(err, 'cause', { value: e, enumerable: false });
        finish(err);
      });
      request.on('response', (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.byteLength;
          if (size > this.#maxResponseBytes) {
            finish(
              new M2MError(
                ResponseStatusCode.INTERNAL_SERVER_ERROR,
                `response from ${where} exceeds ${this.#maxResponseBytes} bytes`,
              ),
            );
            return;
          }
          chunks.push(chunk);
        });
        res.on('error', () => finish(unreachable(`${where} closed the connection mid-response`)));
        res.on('end', () =>
          finish(undefined, { headersDistinct: res.headersDistinct as never, payload: Buffer.concat(chunks) }),
        );
      });
      request.end(body);
    });
    return decodeHttpResponse({ headers: headersDistinct, body: payload }, req.rqi);
  }

  /** Closes the sender's own pooled connections (agents passed in stay with their owner). */
  close(): void {
    for (const agent of this.#ownAgents) agent.destroy();
  }
}

function splitTarget(target: string): [string, string] {
  const q = target.indexOf('?');
  return q < 0 ? [target, ''] : [target.slice(0, q), target.slice(q + 1)];
}
