// RETRIEVE /fetchCredentials/<KeID>/<SUID> (TS-0003 8.3.2.1): the originator must be an Enrolment
// Target the TLS session authenticated (its PSK identity or certificate is registered for it).
import type { TLSSocket } from 'node:tls';
import { answerFetchCredentials, FETCH_CREDENTIALS_PATH, type FetchCredentialsOptions } from '@m2msec/rspf';
import express, { type Router } from 'express';
import { respond } from '../lib/respond.js';
import { sessionIdentity } from '../server/session-identity.js';
import type { MefStore } from '../store/mef-store.js';

export function fetchCredentialsRouter(store: MefStore, o: FetchCredentialsOptions): Router {
  const r = express.Router();
  r.get(`${FETCH_CREDENTIALS_PATH}/:keId/:suid`, async (req, res) => {
    const session = sessionIdentity(req.socket as TLSSocket);
    const answer = await answerFetchCredentials(
      {
        keId: String(req.params.keId),
        suid: String(req.params.suid),
        originator: req.header('x-m2m-origin'),
        authenticatedTargetIds: await store.targetIdsFor(session),
      },
      o,
    );
    respond(req, res, answer.rsc, answer.body);
  });
  return r;
}
