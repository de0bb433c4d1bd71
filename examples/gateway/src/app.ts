// A gateway's own express app with the MN-CSE embedded: the gateway keeps its routes (/health,
// /api/...) and mounts the oneM2M HTTP binding under /onem2m. The JSON body parser is scoped to
// /api: the binding reads its bodies itself and must see them unparsed.
import { createMnCse, type MnCse, type MnCseOptions } from '@m2msec/mn-cse';
import express, { type Express } from 'express';

export interface Gateway {
  app: Express;
  mn: MnCse;
  /** Alerts the gateway's own API received (its business, not oneM2M). */
  alerts: Array<{ level: string; text: string }>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export async function createGateway(mnOptions: MnCseOptions): Promise<Gateway> {
  const mn = await createMnCse(mnOptions);
  const alerts: Gateway['alerts'] = [];
  const app = express();
  app.disable('x-powered-by');

  app.get('/health', (_req, res) => {
    res.json({ status: 'ok', onem2m: mn.registration.state });
  });

  // The gateway's own API, with its own body parser.
  const api = express.Router();
  api.use(express.json({ limit: '16kb' }));
  api.post('/alerts', (req, res) => {
    const { level, text } = req.body ?? {};
    if (typeof level !== 'string' || typeof text !== 'string') {
      res.status(400).json({ error: 'level and text are required strings' });
      return;
    }
    alerts.push({ level, text });
    res.status(201).json({ n: alerts.length });
  });
  // Reads the embedded CSE directly through its handler: the devices registered here.
  api.get('/devices', async (_req, res) => {
    const admin = mnOptions.adminOriginators?.[0] ?? 'CAdmin';
    const rsp = await mn.handler(
      { op: 2, to: mnOptions.cseBaseName, fr: admin, rqi: `gw-${Date.now()}`, rvi: '3', fc: { fu: 1, ty: [2] } },
      { binding: 'internal' },
    );
    if (rsp.rsc !== 2000) {
      res.status(502).json({ rsc: rsp.rsc });
      return;
    }
    res.json({ devices: (rsp.pc as { 'm2m:uril': string[] })['m2m:uril'] });
  });
  app.use('/api', api);

  // oneM2M (TS-0009) for devices: /onem2m/cse-mn, /onem2m/~/id-in/cse-in/...
  app.use('/onem2m', mn.router);

  return { app, mn, alerts, start: () => mn.start(), stop: () => mn.stop() };
}
