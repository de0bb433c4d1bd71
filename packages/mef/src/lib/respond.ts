// oneM2M HTTP binding conventions for the MEF's JSON answers (TS-0009 6.4): X-M2M-RSC and the
// echoed X-M2M-RI on every response, errors as {"m2m:dbg": message, "code": stable code}; the HTTP status
// from the one TS-0009 table (protocol's httpStatusFor), no copy of it here.
import { httpStatusFor } from '@m2msec/protocol';
import { RspfError } from '@m2msec/rspf';
import type { Request, Response } from 'express';

export function respond(req: Request, res: Response, rsc: number, body: unknown): void {
  const ri = req.header('x-m2m-ri');
  if (ri) res.setHeader('X-M2M-RI', ri);
  res.setHeader('X-M2M-RSC', String(rsc));
  res.setHeader('cache-control', 'no-store');
  res.status(httpStatusFor(rsc)).json(body);
}

export function respondError(req: Request, res: Response, e: unknown, log?: (m: string) => void): void {
  if (e instanceof RspfError) {
    respond(req, res, e.rsc, { 'm2m:dbg': e.message, code: e.code });
    return;
  }
  log?.(`internal error: ${(e as Error)?.message}`);
  respond(req, res, 5000, { 'm2m:dbg': 'internal error', code: 'INTERNAL' });
}
