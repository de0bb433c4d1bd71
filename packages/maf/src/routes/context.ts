// What the Mmaf routes share: the store, the session resolver inputs, the MAF-FQDN, time, notifications.
import type { TLSSocket } from 'node:tls';
import type { EnrolmentTargetKeys } from '@m2msec/rspf';
import type { Request, Response } from 'express';
import { respond, respondError } from '../lib/respond.js';
import type { NotifyOptions } from '../server/notify.js';
import type { MafStore } from '../store/maf-store.js';

export interface MafRouteContext {
  mafFqdn: string;
  store: MafStore;
  rspfKeys?: EnrolmentTargetKeys;
  now: () => number;
  notify: NotifyOptions;
  /** Longest lifetime the MAF grants a client registration / a key registration (ms). */
  maxRegistrationLifetimeMs: number;
  maxKeyLifetimeMs: number;
  log?: (message: string, fields?: Record<string, unknown>) => void;
}

export const socketOf = (req: Request): TLSSocket => req.socket as TLSSocket;

/** Runs a handler and answers [rsc, body] or the error (oneM2M status, precise message). */
export const route =
  (ctx: MafRouteContext, fn: (req: Request) => Promise<[number, unknown]>) => async (req: Request, res: Response) => {
    try {
      const [rsc, body] = await fn(req);
      respond(req, res, rsc, body);
    } catch (e) {
      respondError(req, res, e, (m) => ctx.log?.(m));
    }
  };
