// Serves protocol's EdgeRoutes (the transport-free procedures of a role: MAF, MEF) as oneM2M
// request/response over MQTT (TS-0010 6.4.3): a RequestHandler for createMqttBinding. The request
// primitive's op picks the method (CREATE POST, RETRIEVE GET, UPDATE PUT, DELETE DELETE), its To the
// route path ('/maf/symmKeyReg/<rid>' or without the leading '/'), its pc the JSON body; the route's
// answer becomes rsc + pc. The rsc is the route's own oneM2M status: MQTT carries it as is (TS-0010
// 6.5.2), so no transport status is mapped here; a route answering only an HTTP status is not a
// oneM2M procedure and gets 5000.
//
// Identity (TS-0010 7.1, 7.2): the broker proves the <originator> level of a req topic (TLS identity as
// username, ACL `write /oneM2M/req/%u/+/+`), and mqttTransportContext records it in
// transport.association.boundIds. From is the client's claim: it must name that identity (4106, like
// the CSE's authentication step, TS-0004 7.3.2.1). A role is no registrar, so a bare C-type AE-ID-Stem
// names no one here: the client uses its SP-relative AE-ID ('id-in:Cae1' in the topic).
import {
  compileRoute,
  type EdgeRequest,
  type EdgeRoute,
  type HandlerResponse,
  type IdContext,
  isM2msecError,
  M2MError,
  matchPath,
  Operation,
  parseOriginator,
  type RequestHandler,
  type RequestPrimitive,
  ResponseStatusCode,
  type TransportContext,
  toSpRelativeOriginator,
} from '@m2msec/protocol';
import { show } from '../lib/errors.js';
import type { BindingLogger } from '../lib/logger.js';
import { MQTT_BROKER_FRAMEWORK } from '../transport/transport-context.js';

export interface EdgeRouteHandlerOptions {
  /** The receiver's own IDs: `cseId` is the SP-relative ID it listens under (createMqttBinding's cseId). */
  ids: IdContext;
  logger?: BindingLogger;
}

const METHOD: Readonly<Record<number, string>> = {
  [Operation.CREATE]: 'POST',
  [Operation.RETRIEVE]: 'GET',
  [Operation.UPDATE]: 'PUT',
  [Operation.DELETE]: 'DELETE',
};
const DEFAULT_MAX_BODY = 16 * 1024;
const encoder = new TextEncoder();

function fail(rsc: ResponseStatusCode, message: string): never {
  throw new M2MError(rsc, message);
}

/** The broker-proven originator (SP-relative), after checking that From claims exactly it. */
function provenOriginator(req: RequestPrimitive, transport: TransportContext, ids: IdContext): string {
  const a = transport.association;
  if (transport.binding !== 'mqtt' || a?.framework !== MQTT_BROKER_FRAMEWORK || a.boundIds.length !== 1) {
    // A reg_req topic names a credential, not an originator: these procedures need an identity.
    fail(ResponseStatusCode.ORIGINATOR_NOT_AUTHENTICATED, 'the request arrived on no req topic naming its originator');
  }
  const topicId = a.boundIds[0]!;
  if (topicId.startsWith(`${ids.cseId}/`)) {
    fail(
      ResponseStatusCode.ORIGINATOR_NOT_AUTHENTICATED,
      `a bare AE-ID-Stem names no one outside its registrar: publish under the SP-relative AE-ID ('<csi>:<stem>')`,
    );
  }
  if (typeof req.fr !== 'string' || req.fr === '') fail(ResponseStatusCode.BAD_REQUEST, 'the request has no From (fr)');
  let claimed: string;
  try {
    claimed = toSpRelativeOriginator(parseOriginator(req.fr), ids);
  } catch {
    return fail(ResponseStatusCode.BAD_REQUEST, `From ${show(req.fr)} is not an AE-ID or CSE-ID`);
  }
  if (claimed !== topicId) {
    fail(
      ResponseStatusCode.ORIGINATOR_NOT_AUTHENTICATED,
      `From ${show(req.fr)} is not the originator the broker authenticated for this topic`,
    );
  }
  return topicId;
}

function pathOf(to: string): string {
  const path = to.startsWith('/') ? to : `/${to}`;
  if (path.includes('?') || path.includes('#')) fail(ResponseStatusCode.BAD_REQUEST, 'To must be a path, no query');
  return path;
}

function decodeAnswer(body: EdgeResponse['body']): unknown {
  if (body === undefined || body.length === 0) return undefined;
  const text = typeof body === 'string' ? body : Buffer.from(body).toString('utf8');
  return JSON.parse(text) as unknown;
}
type EdgeResponse = Awaited<ReturnType<EdgeRoute['handle']>>;

/** A RequestHandler answering each request by the route its op and To select (4004 / 4005 otherwise). */
export function edgeRouteHandler(routes: readonly EdgeRoute[], o: EdgeRouteHandlerOptions): RequestHandler {
  const compiled = routes.map(compileRoute);
  return async (req, transport): Promise<HandlerResponse> => {
    provenOriginator(req, transport, o.ids);
    const method = METHOD[req.op];
    if (method === undefined) fail(ResponseStatusCode.OPERATION_NOT_ALLOWED, `operation ${req.op} is not served here`);
    const path = pathOf(req.to);
    let params: Record<string, string> | undefined;
    let pathMatched = false;
    const hit = compiled.find((c) => {
      params = matchPath(c, path);
      if (params === undefined) return false;
      pathMatched = true;
      return c.route.method === method || c.route.method === '*';
    });
    if (!hit) {
      if (pathMatched) fail(ResponseStatusCode.OPERATION_NOT_ALLOWED, `operation ${req.op} is not allowed on ${path}`);
      return fail(ResponseStatusCode.NOT_FOUND, `no resource ${show(path)}`);
    }
    const body = req.pc === undefined ? new Uint8Array() : encoder.encode(JSON.stringify(req.pc));
    const max = hit.route.maxBodyBytes ?? DEFAULT_MAX_BODY;
    if (body.byteLength > max) {
      fail(ResponseStatusCode.BAD_REQUEST, `the content of ${body.byteLength} bytes exceeds the limit of ${max} bytes`);
    }
    const edgeReq: EdgeRequest = {
      method,
      path,
      target: path,
      params: params!,
      query: new URLSearchParams(),
      headers: {
        'content-type': 'application/json',
        'x-m2m-ri': req.rqi,
        ...(req.rvi !== undefined ? { 'x-m2m-rvi': req.rvi } : {}),
      },
      body,
      transport,
    };
    let answer: EdgeResponse;
    try {
      answer = await hit.route.handle(edgeReq);
    } catch (e) {
      // A role's error (M2msecError with its rsc) becomes the binding's error response; anything else
      // is a fault the binding answers with 5000 and logs without the client seeing it.
      if (isM2msecError(e)) throw new M2MError(e.rsc, e.message);
      throw e;
    }
    if (answer.rsc === undefined) {
      o.logger?.({ level: 'error', message: `route ${hit.route.path} answered no oneM2M status`, rqi: req.rqi });
      return fail(ResponseStatusCode.INTERNAL_SERVER_ERROR, 'internal server error');
    }
    const pc = decodeAnswer(answer.body);
    return {
      rsc: answer.rsc as HandlerResponse['rsc'],
      rqi: req.rqi,
      ...(req.rvi !== undefined ? { rvi: req.rvi } : {}),
      ...(pc !== undefined ? { pc: pc as HandlerResponse['pc'] } : {}),
    };
  };
}
