// The CSE side of the MQTT binding (TS-0010 6.4.3, 6.4.4): listens on /oneM2M/req/+/<CSE-ID>/+ and
// /oneM2M/reg_req/+/<CSE-ID>/+, decodes each JSON request primitive, builds the TransportContext from
// the topic, calls the CSE's RequestHandler and publishes the response on the matching resp /
// reg_resp topic. Bad input never throws out of here: an error response when a response topic can
// be formed, else a log line.
import {
  type HandlerResponse,
  type IdContext,
  INTERNAL_MESSAGE,
  isM2MError,
  isM2msecError,
  type RequestHandler,
  type RequestPrimitive,
  ResponseStatusCode,
} from '@m2msec/protocol';
import type { MqttConnectOptions } from '../connection/connect-options.js';
import { MqttConnection } from '../connection/mqtt-connection.js';
import type { BindingLogger } from '../lib/logger.js';
import { decodeRequestPayload, RequestDecodeError } from '../primitive/decode-request.js';
import { encodeResponsePayload } from '../primitive/encode-response.js';
import { checkRequestExpiry } from '../primitive/expiry.js';
import { clientIdForCse } from '../topics/client-id.js';
import { escapeId } from '../topics/escape-id.js';
import { formatTopic, type OneM2MTopic, parseTopic, responseKind, subscriptionFilter } from '../topics/topics.js';
import { mqttTransportContext } from '../transport/transport-context.js';
import { AnsweredRequests, type AnsweredRequestsOptions } from './answered-requests.js';

/** What a successful first registration (reg_req CREATE <AE>, 2001) assigned, for the broker's ACL. */
export interface MqttRegistration {
  credentialId: string;
  /** The AE-ID-Stem (aei) the CSE assigned. */
  aeId: string;
}

export interface MqttBindingOptions {
  /** The CSE as the binding sees it. */
  handler: RequestHandler;
  /** SP-relative CSE-ID of the hosting CSE, e.g. '/id-in': the <receiver> it listens for. */
  cseId: string;
  /**
   * The ID this binding receives requests for, when it is not the CSE itself: an AE that takes
   * notifications over MQTT gives its AE-ID-Stem here and its registrar's CSE-ID as `cseId`.
   */
  receiverId?: string;
  /** M2M-SP-ID without '//' (absolute originators of the own SP are shortened to SP-relative). */
  spId: string;
  /** Broker URL and TLS credentials of the CSE's own MQTT client; ClientId defaults to 'C::<CSE-ID>'. */
  connect?: Omit<MqttConnectOptions, 'clientId'> & { clientId?: string };
  /** An already open connection to use instead of `connect` (shared with an originator / sender). */
  connection?: MqttConnection;
  /** Topic prefix from the point of access path (TS-0010 6.6), e.g. 'abc/def'; default none. */
  topicPrefix?: string;
  /** Largest accepted request payload in bytes (default 4 MiB); larger -> 4000. */
  maxPayloadBytes?: number;
  /** Also listen on reg_req topics (TS-0010 6.4.4); default true. */
  registration?: boolean;
  /**
   * Called after a reg_req CREATE <AE> succeeded and before its response is published, so the broker
   * can be told the new AE-ID (TS-0010 7.4: the broker must know registered AEs). A rejection is logged.
   */
  onRegistration?: (r: MqttRegistration) => void | Promise<void>;
  logger?: BindingLogger;
  /**
   * A request repeated by its originator (same topic originator, rqi and payload) within the window gets
   * the response already given instead of a second execution (QoS 1 is at least once; originators re-send
   * after a broker failover). Default on with AnsweredRequests' defaults; false turns it off.
   */
  repeatedRequests?: AnsweredRequestsOptions | false;
  /** Clock for the rqet check (tests). */
  now?: () => Date;
}

export interface MqttBinding {
  readonly cseId: string;
  readonly connection: MqttConnection;
  /** Requests being handled right now. */
  readonly inFlight: number;
  /**
   * Stops taking requests, waits for those in flight (up to `graceMs`, default 5 s) and disconnects when
   * it owns the connection. The broker keeps the session (Clean Session false, 6.3.3) and queues
   * requests for the next start unless `endSession`.
   */
  close(opts?: { endSession?: boolean; graceMs?: number }): Promise<void>;
}

const DEFAULT_MAX_PAYLOAD = 4 * 1024 * 1024;
/** The one text a client gets for a failure nobody anticipated (protocol's error model, docs/errors.md). */
const GENERIC_5000 = INTERNAL_MESSAGE;

function checkConfig(o: MqttBindingOptions): void {
  if (typeof o.handler !== 'function') throw new TypeError('createMqttBinding: handler must be a function');
  if (!/^\/[A-Za-z0-9\-._~]+$/.test(o.cseId))
    throw new TypeError(`createMqttBinding: cseId '${o.cseId}' is not '/<csi>'`);
  if (!/^[A-Za-z0-9\-._~]+$/.test(o.spId)) throw new TypeError(`createMqttBinding: spId '${o.spId}' is malformed`);
  if ((o.connect === undefined) === (o.connection === undefined)) {
    throw new TypeError('createMqttBinding: give exactly one of connect and connection');
  }
  const max = o.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD;
  if (!Number.isSafeInteger(max) || max < 1) throw new TypeError('createMqttBinding: maxPayloadBytes must be >= 1');
  if (o.topicPrefix !== undefined && !/^[^+#\0]*[^/+#\0]$/.test(o.topicPrefix)) {
    throw new TypeError('createMqttBinding: topicPrefix must not end with / or hold wildcards');
  }
}

/** Connects to the broker, subscribes (QoS 1) and serves requests until `close`. */
export async function createMqttBinding(options: MqttBindingOptions): Promise<MqttBinding> {
  checkConfig(options);
  const { handler, logger } = options;
  const ids: IdContext = { cseId: options.cseId, spId: options.spId };
  const me = escapeId(options.receiverId ?? options.cseId);
  const prefix = options.topicPrefix ?? '';
  const maxPayload = options.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD;
  const now = options.now ?? (() => new Date());
  const owned = options.connection === undefined;
  const connection =
    options.connection ??
    (await MqttConnection.connect(
      { ...options.connect!, clientId: options.connect!.clientId ?? clientIdForCse(options.cseId) },
      logger,
    ));
  let inFlight = 0;
  const answered =
    options.repeatedRequests === false ? undefined : new AnsweredRequests(options.repeatedRequests ?? {});

  const answer = async (topic: OneM2MTopic, rsp: HandlerResponse): Promise<void> => {
    const kind = responseKind[topic.kind as keyof typeof responseKind];
    const respTopic = formatTopic({ ...topic, kind }, prefix);
    let payload: string;
    try {
      payload = encodeResponsePayload(rsp);
    } catch (e) {
      logger?.({ level: 'error', message: 'response primitive could not be serialised', rqi: rsp.rqi, error: e });
      payload = encodeResponsePayload({
        rsc: ResponseStatusCode.INTERNAL_SERVER_ERROR,
        rqi: rsp.rqi,
        dbg: GENERIC_5000,
      });
    }
    try {
      await connection.publish(respTopic, payload);
    } catch (e) {
      logger?.({ level: 'warn', message: 'response could not be published', topic: respTopic, rqi: rsp.rqi, error: e });
    }
  };

  const errorResponse = (rsc: number, message: string, rqi: string | undefined): HandlerResponse => ({
    rsc: rsc as HandlerResponse['rsc'],
    rqi: rqi ?? '',
    dbg: message,
  });

  const registered = async (topic: OneM2MTopic, req: RequestPrimitive, rsp: HandlerResponse): Promise<void> => {
    if (options.onRegistration === undefined || topic.kind !== 'reg_req') return;
    if (req.op !== 1 || req.ty !== 2 || rsp.rsc !== ResponseStatusCode.CREATED) return;
    const aei = (rsp.pc as { 'm2m:ae'?: { aei?: unknown } } | undefined)?.['m2m:ae']?.aei;
    if (typeof aei !== 'string') return;
    const credentialId = mqttTransportContext(topic, ids).mqtt!.credentialId!;
    try {
      await options.onRegistration({ credentialId, aeId: aei });
    } catch (e) {
      logger?.({ level: 'error', message: 'onRegistration failed', rqi: rsp.rqi, error: e });
    }
  };

  async function serve(topicName: string, payload: Buffer): Promise<void> {
    let topic: OneM2MTopic;
    try {
      topic = parseTopic(topicName, prefix);
    } catch (e) {
      logger?.({ level: 'warn', message: `message dropped: ${(e as Error).message}`, topic: topicName });
      return;
    }
    if (topic.receiver !== me || (topic.kind !== 'req' && topic.kind !== 'reg_req')) {
      logger?.({ level: 'warn', message: 'message dropped: not a request addressed to this CSE', topic: topicName });
      return;
    }
    if (topic.ser !== 'json') {
      // 6.5.3: the response would have to use the same serialization; this binding speaks JSON only.
      logger?.({
        level: 'warn',
        message: `request dropped: serialization '${topic.ser}' is not supported`,
        topic: topicName,
      });
      return;
    }
    let rqi: string | undefined;
    let rsp: HandlerResponse;
    try {
      if (payload.byteLength > maxPayload) {
        throw new RequestDecodeError(`payload of ${payload.byteLength} bytes exceeds the limit of ${maxPayload} bytes`);
      }
      const req = decodeRequestPayload(payload);
      const rq = req.rqi;
      rqi = rq;
      const transport = mqttTransportContext(topic, ids);
      const execute = async (): Promise<HandlerResponse> => {
        try {
          checkRequestExpiry(req.rqet, now());
        } catch (e) {
          if (isM2MError(e) && e.rsc === ResponseStatusCode.REQUEST_TIMEOUT) {
            logger?.({ level: 'info', message: 'expired request rejected with 4008', topic: topicName, rqi: rq });
          }
          throw e;
        }
        let r: HandlerResponse;
        try {
          r = await handler(req, transport);
        } catch (e) {
          if (!isM2msecError(e)) throw e;
          r = errorResponse(e.rsc, e.message, rq);
        }
        await registered(topic, req, r);
        return r;
      };
      if (answered === undefined) rsp = await execute();
      else {
        const a = answered.answer(`${topic.kind}/${topic.originator}`, rq, payload, execute);
        if (a.repeated) {
          logger?.({
            level: 'info',
            message: 'repeated request answered with its earlier response',
            topic: topicName,
            rqi,
          });
        }
        rsp = await a.response;
      }
    } catch (e) {
      if (e instanceof RequestDecodeError) {
        logger?.({ level: 'warn', message: `malformed request answered with 4000: ${e.message}`, topic: topicName });
        rsp = errorResponse(e.rsc, e.message, e.rqi);
      } else if (isM2msecError(e)) rsp = errorResponse(e.rsc, e.message, rqi);
      else {
        logger?.({
          level: 'error',
          message: 'request failed with an unexpected error',
          topic: topicName,
          rqi,
          error: e,
        });
        rsp = errorResponse(ResponseStatusCode.INTERNAL_SERVER_ERROR, GENERIC_5000, rqi);
      }
    }
    await answer(topic, rsp);
  }

  const onMessage = (topic: string, payload: Buffer) => {
    inFlight++;
    serve(topic, payload)
      .catch((e) => logger?.({ level: 'error', message: 'unexpected error in the MQTT binding', topic, error: e }))
      .finally(() => {
        inFlight--;
      });
  };

  const filters = [subscriptionFilter('req', me, prefix)];
  if (options.registration ?? true) filters.push(subscriptionFilter('reg_req', me, prefix));
  try {
    for (const f of filters) await connection.subscribe(f, onMessage);
  } catch (e) {
    if (owned) await connection.close();
    throw e;
  }

  return {
    cseId: options.cseId,
    connection,
    get inFlight() {
      return inFlight;
    },
    async close(opts = {}) {
      for (const f of filters) connection.removeListener(f, onMessage);
      const deadline = Date.now() + (opts.graceMs ?? 5_000);
      while (inFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      if (owned) await connection.close({ endSession: opts.endSession });
    },
  };
}
