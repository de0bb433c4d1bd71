// Server side of the benchmark (a child process): serves one case on a loopback port and reports the port.
import type { AddressInfo } from 'node:net';
import express from 'express';
import { createHttpBinding } from '../src/index.js';

const payload = { 'm2m:cnt': { rn: 'cnt1', ri: 'cnt1', pi: 'id-in', ty: 3, cni: 0, cbs: 0, st: 0, lbl: ['bench'] } };

async function start(kind: 'express' | 'binding'): Promise<number> {
  if (kind === 'express') {
    // Baseline: a bare express handler answering the same JSON.
    const app = express();
    app.disable('x-powered-by');
    app.disable('etag');
    app.use((_req, res) => {
      res.json(payload);
    });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    return (server.address() as AddressInfo).port;
  }
  const binding = createHttpBinding({
    cseId: '/id-in',
    cseBaseName: 'cse-in',
    spId: 'm2msec.example',
    handler: async (req) => ({ rsc: 2000, rqi: req.rqi, pc: payload }),
  });
  return (await binding.listen({ host: '127.0.0.1', port: 0 })).port;
}

process.send!(await start(process.argv[2] as 'express' | 'binding'));
