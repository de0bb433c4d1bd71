// oneM2M HTTP binding conventions for the MAF's JSON answers (TS-0009 6.4): X-M2M-RSC and the echoed
// X-M2M-RI on every response, errors as {"m2m:dbg": message}, never cached (keys travel in bodies).
import type { Request, Response } from 'express';
import { httpStatusOf, MafError } from './errors.js';

export function respond(req: Request, res: Response, rsc: number, body: unknown): void {
  const ri = req.header('x-m2m-ri');
  if (ri && ri.length <= 255) res.setHeader('X-M2M-RI', ri);
  res.setHeader('X-M2M-RSC', String(rsc));
  res.setHeader('cache-control', 'no-store');
  res.status(httpStatusOf(rsc)).json(body);
}

export function respondError(req: Request, res: Response, e: unknown, log?: (m: string) => void): void {
  if (e instanceof MafError) {
    respond(req, res, e.rsc, { 'm2m:dbg': e.message });
    return;
  }
  // express.json() parse errors and oversize bodies carry a status: a client error, said precisely.
  const status = (e as { status?: number; type?: string })?.status;
  if (status === 400 || status === 413 || status === 415) {
    const message =
      status === 400
        ? 'the body is not valid JSON'
        : status === 413
          ? 'the body is too large'
          : 'unsupported body encoding';
    respond(req, res, status === 415 ? 4015 : 4000, { 'm2m:dbg': message });
    return;
  }
  log?.(`internal error: ${(e as Error)?.message}`);
  respond(req, res, 5000, { 'm2m:dbg': 'internal error' });
}
