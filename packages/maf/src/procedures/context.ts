// What the Mmaf procedures share: the store, the session resolver inputs, the MAF-FQDN, time,
// notifications; and how one procedure becomes a route of the shared HTTP edge (protocol's EdgeRoute):
// the procedure sees the parsed body, the path parameters and the TLS session facts of the transport
// context, never a socket or a header, and answers [rsc, body]; the binding maps rsc to HTTP.
import type { EdgeRequest, EdgeResponse, EdgeRoute, TlsContext, TransportContext } from '@m2msec/protocol';
import type { EnrolmentTargetKeys } from '@m2msec/rspf';
import type { NotifyOptions } from '../server/notify.js';
import type { MafStore } from '../store/maf-store.js';
import { jsonBody } from './json-body.js';

export interface MafRouteContext {
  mafFqdn: string;
  store: MafStore;
  rspfKeys?: EnrolmentTargetKeys;
  now: () => number;
  notify: NotifyOptions;
  /** Longest lifetime the MAF grants a client registration / a key registration (ms). */
  maxRegistrationLifetimeMs: number;
  maxKeyLifetimeMs: number;
  /**
   * M2M-SP-ID of the MQTT broker's clients, set when the MAF is served over MQTT (docs/maf.md): a
   * broker-authenticated SP-relative originator '/id-mn' is the MAF Client ID '//<spId>/id-mn'.
   */
  spId?: string;
  log?: (message: string, fields?: Record<string, unknown>) => void;
}

/** One Mmaf request as a procedure sees it. */
export interface MafRequest {
  params: Readonly<Record<string, string>>;
  /** The JSON body (undefined when there is none or it is not application/json). */
  body: unknown;
  /** What the MAF Handshake proved (undefined on a plain listener: no session). */
  tls: TlsContext | undefined;
  /**
   * Over MQTT: the SP-relative originator the broker authenticated (TS-0010 7.2, the req topic's
   * <originator> level, From checked against it by the binding). Undefined over HTTP.
   */
  broker?: string;
}

export type MafProcedure = (req: MafRequest) => Promise<[number, unknown]>;

/**
 * The identity an MQTT broker proved (binding-mqtt's association, framework 'mqtt-broker'), never one
 * another binding or a header could claim: only the MQTT binding sets that framework.
 */
function brokerOriginator(t: TransportContext): string | undefined {
  const a = t.association;
  if (t.binding !== 'mqtt' || a?.framework !== 'mqtt-broker' || a.boundIds.length !== 1) return undefined;
  return a.boundIds[0];
}

/** Bodies of Mmaf requests are small JSON documents. */
const MAX_BODY = 16 * 1024;

/** A procedure served at method + path; its answer is JSON with the rsc (X-M2M-RSC), never cached. */
export function mafRoute(method: string, path: string, fn: MafProcedure): EdgeRoute {
  return {
    method,
    path,
    maxBodyBytes: MAX_BODY,
    async handle(r: EdgeRequest): Promise<EdgeResponse> {
      const broker = brokerOriginator(r.transport);
      const [rsc, body] = await fn({
        params: r.params,
        body: jsonBody(r),
        tls: r.transport.tls,
        ...(broker !== undefined ? { broker } : {}),
      });
      return {
        rsc,
        headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
        body: JSON.stringify(body),
      };
    },
  };
}
