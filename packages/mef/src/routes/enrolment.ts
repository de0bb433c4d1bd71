// The Enrolment Exchange URI (TS-0003 8.3.2.1) on the MEF:
//   POST /mef/enrolment                       Table 8.3.2.1-1 indications -> first instruction
//   POST /mef/enrolment/<id>/result           instruction outcome -> next instruction / end + plan
//   POST /mef/enrolment/<id>/attestation      provisioning attestation -> complete; session closed
import type { TLSSocket } from 'node:tls';
import { ENROLMENT_PATH, type EnroleePrincipal, type EnrolmentExchange, RspfError } from '@m2msec/rspf';
import express, { type Request, type Router } from 'express';
import { respond, respondError } from '../lib/respond.js';

export function enrolmentRouter(
  exchange: EnrolmentExchange,
  principalOf: (req: Request) => EnroleePrincipal | undefined,
  log?: (m: string) => void,
): Router {
  const r = express.Router();
  const json = express.json({ limit: '64kb' });
  const principal = (req: Request) => {
    const p = principalOf(req);
    if (!p) throw new RspfError('FORBIDDEN', 'this TLS session did not authenticate an enrolee (MEF Handshake)');
    return p;
  };
  r.post(ENROLMENT_PATH, json, async (req, res) => {
    try {
      respond(req, res, 2001, await exchange.begin(req.socket as TLSSocket, principal(req), req.body));
    } catch (e) {
      respondError(req, res, e, log);
    }
  });
  r.post(`${ENROLMENT_PATH}/:id/result`, json, async (req, res) => {
    try {
      principal(req);
      respond(req, res, 2000, await exchange.report(req.socket as TLSSocket, String(req.params.id), req.body));
    } catch (e) {
      respondError(req, res, e, log);
    }
  });
  r.post(`${ENROLMENT_PATH}/:id/attestation`, json, async (req, res) => {
    // The MEF closes the (D)TLS session after the exchange (8.3.2.1 step 16), whatever the outcome.
    res.setHeader('connection', 'close');
    try {
      principal(req);
      const record = await exchange.attest(req.socket as TLSSocket, String(req.params.id), req.body);
      respond(req, res, 2000, { status: 'complete', keID: record.keId, expirationTime: record.expiresAt });
    } catch (e) {
      respondError(req, res, e, log);
    }
  });
  return r;
}
