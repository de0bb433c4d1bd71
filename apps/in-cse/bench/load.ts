// A small closed-loop HTTP load generator: `concurrency` keep-alive connections, each sending the
// next request when the previous answer arrived, for a fixed duration. Bounded in time and count.
import http from 'node:http';
import https from 'node:https';
import type { ConnectionOptions } from 'node:tls';

export interface LoadResult {
  requests: number;
  errors: number;
  seconds: number;
  perSecond: number;
  /** Connections the client opened (a kept-alive run opens `concurrency`; more means the server closed some). */
  connections: number;
}

export interface LoadOptions {
  concurrency: number;
  seconds: number;
  maxRequests: number;
  /** For an https: URL, the TLS options of every connection (e.g. TLS-PSK client options). */
  tls?: ConnectionOptions;
}

export async function load(
  url: string,
  headers: Record<string, string>,
  opts: LoadOptions = { concurrency: 32, seconds: 4, maxRequests: 2_000_000 },
): Promise<LoadResult> {
  const target = new URL(url);
  const secure = target.protocol === 'https:';
  const client = secure ? https : http;
  const agent = secure
    ? new https.Agent({ keepAlive: true, maxSockets: opts.concurrency, ...opts.tls })
    : new http.Agent({ keepAlive: true, maxSockets: opts.concurrency });
  let connections = 0;
  const created = agent.createConnection.bind(agent) as (...a: unknown[]) => unknown;
  (agent as unknown as { createConnection: (...a: unknown[]) => unknown }).createConnection = (...a: unknown[]) => {
    connections++;
    return created(...a);
  };
  let requests = 0;
  let errors = 0;
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(opts.seconds * 1e9);
  const one = () =>
    new Promise<void>((resolve) => {
      const req = client.request(
        { host: target.hostname, port: target.port, path: target.pathname + target.search, headers, agent },
        (res) => {
          res.resume();
          res.on('end', () => {
            if (res.statusCode !== 200) errors++;
            resolve();
          });
        },
      );
      req.on('error', () => {
        errors++;
        resolve();
      });
      req.end();
    });
  const worker = async () => {
    while (process.hrtime.bigint() < deadline && requests < opts.maxRequests) {
      requests++;
      await one();
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, worker));
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  agent.destroy();
  return { requests, errors, seconds, perSecond: requests / seconds, connections };
}
