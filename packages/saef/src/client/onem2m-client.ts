// A small oneM2M HTTP client (TS-0009 6: X-M2M-Origin / RI / RVI headers, ty in Content-Type,
// X-M2M-RSC back) over a SAEF agent. Enough for AEs and MN-CSEs to register and exchange resources.
import { type Agent, request as httpsRequest } from 'node:https';
import { SaefError } from '../lib/errors.js';
import { createSaefAgent } from './agent.js';
import type { SaefClientFramework } from './connection-options.js';

export interface OneM2MRequest {
  /** 1 CREATE, 2 RETRIEVE, 3 UPDATE, 4 DELETE (TS-0004 m2m:operation). */
  op: 1 | 2 | 3 | 4;
  /** CSE-relative target, e.g. 'cse-in' or 'cse-in/myAE'. */
  to: string;
  from?: string;
  ty?: number;
  pc?: unknown;
  rqi?: string;
  headers?: Record<string, string>;
}

export interface OneM2MResponse {
  status: number;
  rsc: number;
  pc: any;
  headers: Record<string, string | string[] | undefined>;
}

export interface OneM2MClientOptions {
  /** https://host:port of the CSE. */
  baseUrl: string;
  framework: SaefClientFramework;
  /** Release version indicator; default '3'. */
  rvi?: string;
  timeoutMs?: number;
}

const METHODS = { 1: 'POST', 2: 'GET', 3: 'PUT', 4: 'DELETE' } as const;
let counter = 0;

export class OneM2MClient {
  readonly agent: Agent;
  constructor(private readonly o: OneM2MClientOptions) {
    this.agent = createSaefAgent(o.framework);
  }

  async request(r: OneM2MRequest): Promise<OneM2MResponse> {
    try {
      return await this.send(r);
    } catch (e) {
      // MAF-based SAEF: B may learn Kc only after the first attempt (see maf/key-cache.ts).
      if (this.o.framework.kind !== 'maf' || !isHandshakeFailure(e)) throw e;
      await new Promise((res) => setTimeout(res, 200));
      return this.send(r);
    }
  }

  private send(r: OneM2MRequest): Promise<OneM2MResponse> {
    const url = new URL(`/${r.to.replace(/^\/+/, '')}`, this.o.baseUrl);
    const body = r.pc === undefined ? undefined : Buffer.from(JSON.stringify(r.pc));
    const headers: Record<string, string> = {
      'X-M2M-RI': r.rqi ?? `rq-${process.pid}-${++counter}`,
      'X-M2M-RVI': this.o.rvi ?? '3',
      Accept: 'application/json',
      ...(r.from !== undefined ? { 'X-M2M-Origin': r.from } : {}),
      ...(body
        ? { 'Content-Type': `application/json${r.ty ? `;ty=${r.ty}` : ''}`, 'Content-Length': String(body.length) }
        : {}),
      ...r.headers,
    };
    return new Promise((resolve, reject) => {
      const req = httpsRequest(
        url,
        { method: METHODS[r.op], headers, agent: this.agent, timeout: this.o.timeoutMs ?? 10_000 },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let pc: unknown;
            try {
              pc = text ? JSON.parse(text) : undefined;
            } catch {
              pc = text;
            }
            resolve({ status: res.statusCode ?? 0, rsc: Number(res.headers['x-m2m-rsc']), pc, headers: res.headers });
          });
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new SaefError('INVALID_INPUT', `request to ${url.host} timed out`)));
      req.on('error', reject);
      req.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

function isHandshakeFailure(e: unknown): boolean {
  const code = (e as { code?: string }).code ?? '';
  return code === 'ECONNRESET' || code === 'EPROTO' || code.startsWith('ERR_SSL');
}
