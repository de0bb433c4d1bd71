// The console's way to the IN-CSE: mutual TLS with the console's own client certificate (bound to an
// administrator principal in the IN-CSE's security.administrators), X-M2M-Origin = that principal's
// originator. Never plain HTTP: a bare From is no administrator (docs/administration.md).
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import type { ConsoleConfig } from './config.js';

export interface CseAnswer {
  status: number;
  rsc: number;
  body: any;
}

export class InCseClient {
  readonly #agent: Agent;
  readonly #url: URL;
  constructor(private readonly c: ConsoleConfig['inCse']) {
    this.#url = new URL(c.url);
    this.#agent = new Agent({
      keepAlive: true,
      ca: readFileSync(c.ca),
      cert: readFileSync(c.cert),
      key: readFileSync(c.key),
      servername: this.#url.hostname,
    });
  }

  get cseBase(): string {
    return this.c.cseBase;
  }
  get idContext(): { spId: string; cseId: string } {
    return { spId: this.c.spId, cseId: this.c.cseId };
  }
  get originator(): string {
    return this.c.originator;
  }

  /** One request; oneM2M headers (TS-0009 6) are always sent, harmless on the admin routes. */
  send(method: string, path: string, o: { body?: unknown; ty?: number } = {}): Promise<CseAnswer> {
    const payload = o.body === undefined ? undefined : Buffer.from(JSON.stringify(o.body));
    const headers: Record<string, string> = {
      'X-M2M-Origin': this.c.originator,
      'X-M2M-RI': `console-${randomBytes(6).toString('hex')}`,
      'X-M2M-RVI': '3',
      Accept: 'application/json',
      Host: this.#url.host,
    };
    if (payload) {
      headers['Content-Type'] = `application/json${o.ty ? `;ty=${o.ty}` : ''}`;
      headers['Content-Length'] = String(payload.length);
    }
    return new Promise((resolve, reject) => {
      const req = request(
        {
          agent: this.#agent,
          host: this.c.connectAddress ?? this.#url.hostname,
          port: this.#url.port || 443,
          servername: this.#url.hostname,
          method,
          path,
          headers,
          timeout: 10_000,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (d: Buffer) => chunks.push(d));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let body: unknown;
            try {
              body = text ? JSON.parse(text) : undefined;
            } catch {
              body = text;
            }
            resolve({ status: res.statusCode ?? 0, rsc: Number(res.headers['x-m2m-rsc'] ?? 0), body });
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error('the IN-CSE did not answer in time')));
      req.on('error', reject);
      if (payload) req.write(payload);
      req.end();
    });
  }

  close(): void {
    this.#agent.destroy();
  }
}
