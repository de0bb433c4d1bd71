// The Enrolment Exchange URI (TS-0003 8.3.2.1) on the MEF, as routes of the shared HTTP edge:
//   POST /mef/enrolment                       Table 8.3.2.1-1 indications -> first instruction
//   POST /mef/enrolment/<id>/result           instruction outcome -> next instruction / end + plan
//   POST /mef/enrolment/<id>/attestation      provisioning attestation -> complete; session closed
// The exchange is bound to the MEF Handshake the request arrived on (transport.tls).
import type { EdgeRequest, EdgeRoute, TlsContext } from '@m2msec/protocol';
import { ENROLMENT_PATH, type EnroleePrincipal, type EnrolmentExchange, RspfError } from '@m2msec/rspf';
import { jsonBody } from '../lib/edge-json.js';
import { onem2mAnswer, onem2mError } from '../lib/onem2m-answer.js';

const LIMIT = 64 * 1024;

function handshake(req: EdgeRequest): TlsContext {
  if (!req.transport.tls)
    throw new RspfError('FORBIDDEN', 'this TLS session did not authenticate an enrolee (MEF Handshake)');
  return req.transport.tls;
}

export function enrolmentRoutes(
  exchange: EnrolmentExchange,
  principalOf: (req: EdgeRequest) => EnroleePrincipal | undefined,
  log?: (m: string, fields: Record<string, unknown>) => void,
): EdgeRoute[] {
  const principal = (req: EdgeRequest) => {
    const p = principalOf(req);
    if (!p) throw new RspfError('FORBIDDEN', 'this TLS session did not authenticate an enrolee (MEF Handshake)');
    return p;
  };
  return [
    {
      method: 'POST',
      path: ENROLMENT_PATH,
      maxBodyBytes: LIMIT,
      async handle(req) {
        const body = jsonBody(req);
        try {
          return onem2mAnswer(2001, await exchange.begin(handshake(req), principal(req), body));
        } catch (e) {
          return onem2mError(e, log);
        }
      },
    },
    {
      method: 'POST',
      path: `${ENROLMENT_PATH}/:id/result`,
      maxBodyBytes: LIMIT,
      async handle(req) {
        const body = jsonBody(req);
        try {
          principal(req);
          return onem2mAnswer(2000, await exchange.report(handshake(req), req.params.id!, body));
        } catch (e) {
          return onem2mError(e, log);
        }
      },
    },
    {
      method: 'POST',
      path: `${ENROLMENT_PATH}/:id/attestation`,
      maxBodyBytes: LIMIT,
      async handle(req) {
        // The MEF closes the (D)TLS session after the exchange (8.3.2.1 step 16), whatever the outcome.
        let answer: ReturnType<typeof onem2mAnswer>;
        try {
          const body = jsonBody(req);
          principal(req);
          const record = await exchange.attest(handshake(req), req.params.id!, body);
          answer = onem2mAnswer(2000, { status: 'complete', keID: record.keId, expirationTime: record.expiresAt });
        } catch (e) {
          answer = onem2mError(e, log);
        }
        return { ...answer, close: true };
      },
    },
  ];
}
