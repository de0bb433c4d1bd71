// Mca over HTTP (TS-0009): requests through HttpRequestSender, over a SAEF agent for https; an HTTP
// listener for notifications (NOTIFY arrives as a POST without ty, TS-0009 6.2.1).
import { createServer, type Server } from 'node:http';
import { createHttpBinding, HttpRequestSender } from '@m2msec/binding-http';
import type { RequestPrimitive, ResponsePrimitive } from '@m2msec/protocol';
import { createSaefAgent } from '@m2msec/saef';
import type { HttpTransportOptions } from '../options.js';
import type { AeTransport } from './types.js';

export function openHttpTransport(
  o: HttpTransportOptions,
  registrar: { cseId: string; cseBaseName: string },
  timeoutMs: number,
): AeTransport {
  const own = o.framework && !o.httpsAgent ? createSaefAgent(o.framework) : undefined;
  const agent = o.httpsAgent ?? own;
  const sender = new HttpRequestSender({ timeoutMs, ...(agent ? { httpsAgent: agent } : {}) });
  let server: Server | undefined;
  return {
    send: (req, opts) => sender.send(o.url, req, opts),
    register: (req) => sender.send(o.url, req),
    async listen(_aeId, onRequest) {
      if (!o.notify) return [];
      const notify = o.notify;
      // The binding parses TS-0009 NOTIFYs; the AE's handler answers them.
      const binding = createHttpBinding({
        handler: (req: RequestPrimitive): Promise<ResponsePrimitive> => onRequest(req),
        cseId: registrar.cseId,
        cseBaseName: registrar.cseBaseName,
        spId: 'notify.local',
      });
      server = createServer(binding.app);
      await new Promise<void>((resolve, reject) => {
        server!.once('error', reject);
        server!.listen(notify.port, notify.host, () => resolve());
      });
      const port = (server.address() as { port: number }).port;
      return [notify.publicUrl ?? `http://${notify.host}:${port}/notify`];
    },
    async close() {
      sender.close();
      own?.destroy();
      if (server) {
        server.closeAllConnections();
        await new Promise((r) => server!.close(r));
      }
    },
  };
}
