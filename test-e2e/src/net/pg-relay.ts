// PostgreSQL listens on the host's loopback; a node in its own namespace reaches it through this
// relay on the host's bridge address (the database is infrastructure, not a node under test).
import { createConnection, createServer, type Server } from 'node:net';

export async function startPgRelay(pgUrl: string, listenHost: string): Promise<{ url: string; close(): void }> {
  const u = new URL(pgUrl);
  const target = { host: u.hostname, port: Number(u.port || 5432) };
  const server: Server = createServer((c) => {
    const up = createConnection(target.port, target.host);
    c.pipe(up).pipe(c);
    c.on('error', () => up.destroy());
    up.on('error', () => c.destroy());
  });
  await new Promise<void>((r) => server.listen(0, listenHost, r));
  const relayed = new URL(pgUrl);
  relayed.hostname = listenHost;
  relayed.port = String((server.address() as { port: number }).port);
  return { url: relayed.toString(), close: () => server.close() };
}
