// Upper tester ("test control") endpoint, off by default: POST /__ut__ with X-M2M-UTCMD, answer in
// X-M2M-UTRSP. Reset removes every resource below the <CSEBase> through the CSE itself. A route of the
// shared HTTP edge, dispatched before the binding (dispatch.ts).
import type { Cse } from '@m2msec/cse';
import type { EdgeRoute } from '@m2msec/protocol';

export function upperTesterRoutes(cse: Cse, log: { info(o: object, m: string): void }): EdgeRoute[] {
  return [
    {
      method: 'POST',
      path: '/__ut__',
      headers: ['x-m2m-utcmd'],
      async handle(req) {
        const cmd = (req.headers['x-m2m-utcmd'] ?? '').trim();
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
        return { status, headers: { 'x-m2m-utrsp': rsp } };
      },
    },
  ];
}
