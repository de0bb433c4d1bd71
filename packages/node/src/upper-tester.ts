// Upper tester ("test control") endpoint, off by default: POST /__ut__ with X-M2M-UTCMD, answer in
// X-M2M-UTRSP. Reset removes every resource below the <CSEBase> through the CSE itself.
import type { Cse } from '@m2msec/cse';
import express, { type Router } from 'express';

export function upperTesterRouter(cse: Cse, log: { info(o: object, m: string): void }): Router {
  const router = express.Router();
  router.post('/__ut__', async (req, res) => {
    const cmd = (req.header('X-M2M-UTCMD') ?? '').trim();
    const [verb, ...args] = cmd.split(/\s+/);
    let rsp: string;
    let status = 200;
    switch (verb) {
      case 'Status':
        rsp = 'RUNNING';
        break;
      case 'Reset':
        await cse.reset();
        rsp = 'ok';
        break;
      case 'testCaseStart':
      case 'testCaseEnd':
        log.info({ testCase: args.join(' ') }, verb);
        rsp = 'ok';
        break;
      default:
        status = 400;
        rsp = `unknown command '${verb ?? ''}'`;
    }
    res.status(status).set('X-M2M-UTRSP', rsp).end();
  });
  return router;
}
