// RETRIEVE /fetchCredentials/<KeID>/<SUID> (TS-0003 8.3.2.1): the originator must be an Enrolment
// Target the TLS session authenticated (its PSK identity or certificate is registered for it).
import type { EdgeRoute } from '@m2msec/protocol';
import { answerFetchCredentials, FETCH_CREDENTIALS_PATH, type FetchCredentialsOptions } from '@m2msec/rspf';
import { onem2mAnswer } from '../lib/onem2m-answer.js';
import { sessionIdentity } from '../server/session-identity.js';
import type { MefStore } from '../store/mef-store.js';

export function fetchCredentialsRoute(store: MefStore, o: FetchCredentialsOptions): EdgeRoute {
  return {
    method: 'GET',
    path: `${FETCH_CREDENTIALS_PATH}/:keId/:suid`,
    headers: ['x-m2m-origin'],
    async handle(req) {
      const session = sessionIdentity(req.transport.tls);
      const answer = await answerFetchCredentials(
        {
          keId: req.params.keId!,
          suid: req.params.suid!,
          originator: req.headers['x-m2m-origin'],
          authenticatedTargetIds: await store.targetIdsFor(session),
        },
        o,
      );
      return onem2mAnswer(answer.rsc, answer.body);
    },
  };
}
