// Loopback fallback for a network link: a TCP relay whose `cut()` black-holes traffic (bytes are
// swallowed, new connections accepted and left hanging), so the sender sees silence, as on a cut
// cable, not a refused connection. `restore()` drops the stalled connections and relays again.
import { createConnection, createServer, type Server, type Socket } from 'node:net';

export class LinkProxy {
  private server: Server | undefined;
  private cutNow = false;
  private readonly sockets = new Set<Socket>();
  port = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  async start(host = '127.0.0.1'): Promise<void> {
    this.server = createServer((client) => {
      this.sockets.add(client);
      client.on('close', () => this.sockets.delete(client));
      client.on('error', () => undefined);
      if (this.cutNow) {
        client.on('data', () => undefined);
        return;
      }
      const upstream = createConnection(this.targetPort, this.targetHost);
      this.sockets.add(upstream);
      upstream.on('close', () => {
        this.sockets.delete(upstream);
        client.destroy();
      });
      upstream.on('error', () => client.destroy());
      client.on('close', () => upstream.destroy());
      client.on('data', (d) => {
        if (!this.cutNow) upstream.write(d);
      });
      upstream.on('data', (d) => {
        if (!this.cutNow) client.write(d);
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, host, r));
    this.port = (this.server.address() as { port: number }).port;
  }

  cut(): void {
    this.cutNow = true;
  }

  restore(): void {
    this.cutNow = false;
    for (const s of this.sockets) s.destroy();
  }

  close(): void {
    for (const s of this.sockets) s.destroy();
    this.server?.close();
  }
}
