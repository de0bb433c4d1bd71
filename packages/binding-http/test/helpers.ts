// Test fixtures: a binding on a loopback port whose handler records what it got and answers with a
// scripted response, and a raw HTTP client that sends exactly the bytes-level request we ask for.
import http from 'node:http';
import type { HandlerResponse, RequestPrimitive, TransportContext } from '@m2msec/protocol';
import { createHttpBinding, type HttpBinding, type HttpBindingOptions } from '../src/index.js';

export interface Recorded {
  req: RequestPrimitive & Record<string, unknown>;
  transport: TransportContext;
}

export interface Fixture {
  binding: HttpBinding;
  port: number;
  calls: Recorded[];
  /** The next handler result; a function computes it from the request, an Error is thrown. */
  reply: HandlerResponse | Error | ((req: RequestPrimitive) => HandlerResponse);
  close(): Promise<void>;
}

export async function startFixture(opts: Partial<HttpBindingOptions> = {}, host = '127.0.0.1'): Promise<Fixture> {
  const fixture = { calls: [] as Recorded[] } as Fixture;
  fixture.reply = (req) => ({ rsc: 2000, rqi: req.rqi, pc: { 'm2m:cb': { rn: 'cse-in' } } });
  fixture.binding = createHttpBinding({
    cseId: '/id-in',
    cseBaseName: 'cse-in',
    spId: 'm2msec.example',
    handler: async (req, transport) => {
      fixture.calls.push({ req: req as Recorded['req'], transport });
      const r = fixture.reply;
      if (r instanceof Error) throw r;
      return typeof r === 'function' ? r(req) : r;
    },
    ...opts,
  });
  const addr = await fixture.binding.listen({ host, port: 0 });
  fixture.port = addr.port;
  fixture.close = () => fixture.binding.close({ graceMs: 100 });
  return fixture;
}

export interface RawResponse {
  status: number;
  statusMessage: string;
  headers: http.IncomingHttpHeaders;
  text: string;
  json: any;
}

export interface RawRequest {
  method?: string;
  path: string;
  /** Header list; a name may repeat. */
  headers?: [string, string][];
  body?: string | Buffer;
  agent?: http.Agent;
  host?: string;
}

/** Sends one request with node:http (keep-alive off unless an agent is given). */
export function send(port: number, r: RawRequest): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    // Repeated names become repeated header lines (node sends an array value line by line).
    const headers: Record<string, string | string[]> = {};
    const byLower = new Map<string, string>();
    for (const [k, v] of r.headers ?? []) {
      const name = byLower.get(k.toLowerCase()) ?? k;
      byLower.set(k.toLowerCase(), name);
      const prev = headers[name];
      headers[name] = prev === undefined ? v : [...(Array.isArray(prev) ? prev : [prev]), v];
    }
    const req = http.request(
      {
        host: r.host ?? '127.0.0.1',
        port,
        method: r.method ?? 'GET',
        path: r.path,
        headers,
        agent: r.agent ?? false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = text === '' ? undefined : JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({
            status: res.statusCode!,
            statusMessage: res.statusMessage ?? '',
            headers: res.headers,
            text,
            json,
          });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(r.body);
  });
}

/** A minimal valid request: X-M2M-RI and X-M2M-Origin, plus what the test adds. */
export function m2m(path: string, extra: Partial<RawRequest> = {}, ri = 'rqi-1'): RawRequest {
  return {
    path,
    ...extra,
    headers: [['X-M2M-RI', ri], ['X-M2M-Origin', 'CAdmin'], ...(extra.headers ?? [])],
  };
}
