// One EST HTTP exchange over HTTPS. The body may be produced after the TLS session is up, from
// its channel binding (RFC 7030 3.5): the CSR is built once the socket is connected and sent on
// that same connection.
import { once } from 'node:events';
import type { IncomingHttpHeaders } from 'node:http';
import https from 'node:https';
import type { TLSSocket } from 'node:tls';
import { type ChannelBinding, channelBinding } from '../tls/channel-binding.js';

export interface EstTarget {
  /** EST base URL: https://<mef>/.well-known/est or https://<mef>/.well-known/est/<label>. */
  readonly baseUrl: string | URL;
  /** Keep-alive agent to reuse one TLS session across operations. */
  readonly agent?: https.Agent;
  /** TLS options for this request: ca, cert/key (client certificate), pskCallback + ciphers (TLS-PSK), ... */
  readonly tls?: https.RequestOptions;
  /** Default 30 s. */
  readonly timeoutMs?: number;
}

export interface EstResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

export type EstBody = Uint8Array | ((binding: ChannelBinding | undefined) => Uint8Array | Promise<Uint8Array>);

export function estRequest(
  target: EstTarget,
  operation: string,
  method: 'GET' | 'POST',
  body?: { contentType: string; data: EstBody },
): Promise<EstResponse> {
  const base = String(target.baseUrl).replace(/\/+$/, '');
  const url = new URL(`${base}/${operation}`);
  return new Promise<EstResponse>((resolve, reject) => {
    const req = https.request(url, {
      ...target.tls,
      method,
      ...(target.agent ? { agent: target.agent } : {}),
      headers: body ? { 'content-type': body.contentType } : {},
      timeout: target.timeoutMs ?? 30_000,
    });
    req.on('timeout', () => req.destroy(new Error(`EST ${operation} timed out`)));
    req.on('error', reject);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    if (!body) {
      req.end();
      return;
    }
    const data = body.data;
    if (typeof data !== 'function') {
      req.setHeader('content-length', encodeLength(data));
      req.end(base64Lines(data));
      return;
    }
    req.once('socket', (socket) => {
      void (async () => {
        const tls = socket as TLSSocket;
        if (!tls.getFinished()) await once(tls, 'secureConnect');
        const der = await data(channelBinding(tls, 'client'));
        const text = base64Lines(der);
        req.setHeader('content-length', Buffer.byteLength(text));
        req.end(text);
      })().catch((e) => req.destroy(e as Error));
    });
  });
}

function base64Lines(der: Uint8Array): string {
  return Buffer.from(der)
    .toString('base64')
    .replace(/(.{64})/g, '$1\r\n');
}

function encodeLength(der: Uint8Array): number {
  return Buffer.byteLength(base64Lines(der));
}
