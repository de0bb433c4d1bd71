// The originator side (TS-0010 6.4.2 - 6.4.5): publishes request primitives on
// /oneM2M/req/<me>/<receiver>/json (or reg_req/<Credential-ID>/... for a first registration, 6.4.4)
// and resolves each with the response that carries its rqi on the matching resp / reg_resp topic.
import { M2MError, type RequestPrimitive, type ResponsePrimitive, ResponseStatusCode } from '@m2msec/protocol';
import type { MqttConnectOptions } from '../connection/connect-options.js';
import { MqttConnection } from '../connection/mqtt-connection.js';
import { badRequest } from '../lib/errors.js';
import type { BindingLogger } from '../lib/logger.js';
import { decodeResponsePayload } from '../primitive/decode-response.js';
import { encodeRequestPayload } from '../primitive/encode-request.js';
import { escapeId } from '../topics/escape-id.js';
import { formatTopic, parseTopic, subscriptionFilter, type TopicKind } from '../topics/topics.js';

export interface MqttOriginatorOptions {
  /**
   * The originator's own ID, as the broker's ACL knows it: an AE-ID-Stem ('Cae1', 'Sae1'), an
   * SP-relative AE-ID or a CSE-ID ('/id-mn'). Absent before registration (use `credentialId`).
   */
  originator?: string;
  /** The Credential-ID the broker authenticated, for first registrations (reg_req / reg_resp, 6.4.4). */
  credentialId?: string;
  /** Default receiver: SP-relative CSE-ID of the registrar / hosting CSE, e.g. '/id-in'. */
  receiver?: string;
  /** Broker URL, ClientId and TLS credentials (ClientId: clientIdForAe / clientIdForCse). */
  connect?: MqttConnectOptions;
  /** An already open connection to use instead (e.g. the one a binding for incoming requests uses). */
  connection?: MqttConnection;
  /** Topic prefix (6.6 point of access path); default none. */
  topicPrefix?: string;
  /** Time to wait for a response in ms (default 10 s); then 4008 REQUEST_TIMEOUT. */
  timeoutMs?: number;
  /** Largest request payload sent, in bytes (default 4 MiB); larger -> 4000 before anything is sent. */
  maxPayloadBytes?: number;
  logger?: BindingLogger;
}

interface Pending {
  resolve(rsp: ResponsePrimitive): void;
  reject(e: unknown): void;
  timer: NodeJS.Timeout;
  kind: TopicKind;
  /** Topic form of the receiver the request went to: only its response is believed. */
  receiver: string;
  /** Topic form of the originator level the request used. */
  originator: string;
  /** What was published, for a re-send after a reconnection. */
  topic: string;
  payload: string;
}

export interface SendOptions {
  /** Receiver ID (SP-relative CSE-ID or AE-ID); default the originator's `receiver`. */
  receiver?: string;
  timeoutMs?: number;
  /** Publish on reg_req under the Credential-ID (first registration, 6.4.4). */
  registration?: boolean;
}

export class MqttOriginator {
  readonly connection: MqttConnection;
  readonly #o: MqttOriginatorOptions;
  readonly #owned: boolean;
  readonly #prefix: string;
  readonly #pending = new Map<string, Pending>();
  readonly #listening = new Set<string>();
  readonly #listener = (topic: string, payload: Buffer) => this.#onResponse(topic, payload);
  readonly #onReconnect = () => this.#resend();
  #closed = false;

  private constructor(connection: MqttConnection, o: MqttOriginatorOptions, owned: boolean) {
    this.connection = connection;
    this.#o = o;
    this.#owned = owned;
    this.#prefix = o.topicPrefix ?? '';
    connection.onReconnect(this.#onReconnect);
  }

  /**
   * After a reconnection (possibly to another node of a clustered broker) every request still unanswered
   * is published again, with its rqi: a PUBACK only says a broker node took it, and that node may have
   * died before the CSE got it or before the response got back. The CSE side answers a repeated rqi of
   * the same originator with the response it already gave (createMqttBinding), so the re-send is safe.
   */
  #resend(): void {
    for (const [rqi, p] of this.#pending) {
      this.connection.publish(p.topic, p.payload).catch((e: unknown) => {
        this.#o.logger?.({ level: 'warn', message: `re-send failed: ${(e as Error).message}`, rqi });
      });
    }
  }

  /** Connects (or takes `connection`) and subscribes to its resp / reg_resp topics before anything is sent. */
  static async open(o: MqttOriginatorOptions): Promise<MqttOriginator> {
    if ((o.connect === undefined) === (o.connection === undefined)) {
      throw new TypeError('MqttOriginator.open: give exactly one of connect and connection');
    }
    if (o.originator === undefined && o.credentialId === undefined) {
      throw new TypeError('MqttOriginator.open: give originator, credentialId or both');
    }
    const connection = o.connection ?? (await MqttConnection.connect(o.connect!, o.logger));
    const originator = new MqttOriginator(connection, o, o.connection === undefined);
    try {
      if (o.originator !== undefined) await originator.#listen('resp', escapeId(o.originator));
      if (o.credentialId !== undefined) await originator.#listen('reg_resp', escapeId(o.credentialId));
    } catch (e) {
      if (o.connection === undefined) await connection.close();
      throw e;
    }
    return originator;
  }

  async #listen(kind: 'resp' | 'reg_resp', id: string): Promise<void> {
    const filter = subscriptionFilter(kind, id, this.#prefix);
    if (this.#listening.has(filter)) return;
    await this.connection.subscribe(filter, this.#listener);
    this.#listening.add(filter);
  }

  #onResponse(topicName: string, payload: Buffer): void {
    let rsp: ResponsePrimitive;
    try {
      const topic = parseTopic(topicName, this.#prefix);
      rsp = decodeResponsePayload(payload);
      const p = this.#pending.get(rsp.rqi);
      // Only the receiver the request went to answers it: a response on our topic from anyone else
      // (the ACL lets any client answer as itself) is ignored.
      if (p === undefined || topic.receiver !== p.receiver || topic.originator !== p.originator) {
        this.#o.logger?.({ level: 'warn', message: 'response matching no pending request ignored', topic: topicName });
        return;
      }
      if ((p.kind === 'req' && topic.kind !== 'resp') || (p.kind === 'reg_req' && topic.kind !== 'reg_resp')) return;
      this.#pending.delete(rsp.rqi);
      clearTimeout(p.timer);
      p.resolve(rsp);
    } catch (e) {
      this.#o.logger?.({ level: 'warn', message: `response dropped: ${(e as Error).message}`, topic: topicName });
    }
  }

  /**
   * Sends `req` and resolves with its response. Rejects with M2MError 4008 when none arrives in time,
   * 4000 when the request cannot be put on a topic or is too large, 5103 when the broker refuses it
   * (MQTT 5 PUBACK reason code) or the connection is down.
   */
  async send(req: RequestPrimitive, opts: SendOptions = {}): Promise<ResponsePrimitive> {
    if (this.#closed) throw new M2MError(ResponseStatusCode.TARGET_NOT_REACHABLE, 'MQTT originator is closed');
    const receiverId = opts.receiver ?? this.#o.receiver;
    if (receiverId === undefined) badRequest('no receiver given for the MQTT request');
    const receiver = escapeId(receiverId);
    const kind: TopicKind = opts.registration ? 'reg_req' : 'req';
    const own = opts.registration ? this.#o.credentialId : this.#o.originator;
    if (own === undefined) {
      badRequest(opts.registration ? 'a first registration needs a credentialId' : 'no originator ID to send under');
    }
    const originator = escapeId(own);
    await this.#listen(opts.registration ? 'reg_resp' : 'resp', originator);
    if (typeof req.rqi !== 'string' || req.rqi === '') badRequest('request has no rqi');
    if (this.#pending.has(req.rqi)) badRequest(`a request with rqi '${req.rqi}' is already pending`);
    const payload = encodeRequestPayload(req);
    const max = this.#o.maxPayloadBytes ?? 4 * 1024 * 1024;
    if (Buffer.byteLength(payload) > max) badRequest(`request payload exceeds the limit of ${max} bytes`);
    const topic = formatTopic({ kind, originator, receiver, ser: 'json' }, this.#prefix);
    const timeoutMs = opts.timeoutMs ?? this.#o.timeoutMs ?? 10_000;

    return new Promise<ResponsePrimitive>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(req.rqi);
        reject(
          new M2MError(ResponseStatusCode.REQUEST_TIMEOUT, `no response from '${receiverId}' within ${timeoutMs} ms`),
        );
      }, timeoutMs);
      this.#pending.set(req.rqi, { resolve, reject, timer, kind, receiver, originator, topic, payload });
      // Not awaited before the timer runs: while the connection is down MQTT.js holds the PUBLISH
      // for the next connection, and the caller still gets its 4008 in time.
      this.connection.publish(topic, payload).catch((e: unknown) => {
        const p = this.#pending.get(req.rqi);
        if (p === undefined) return;
        clearTimeout(p.timer);
        this.#pending.delete(req.rqi);
        const code = (e as { code?: number }).code;
        reject(
          new M2MError(
            ResponseStatusCode.TARGET_NOT_REACHABLE,
            code === undefined
              ? `request could not be published: ${(e as Error).message}`
              : `broker refused the request (MQTT reason code ${code})`,
          ),
        );
      });
    });
  }

  /** First registration over reg_req (6.4.4): `send` with `registration: true`. */
  register(req: RequestPrimitive, opts: Omit<SendOptions, 'registration'> = {}): Promise<ResponsePrimitive> {
    return this.send(req, { ...opts, registration: true });
  }

  /** Requests awaiting a response. */
  get pending(): number {
    return this.#pending.size;
  }

  /** Rejects what is pending (5103) and disconnects when it owns the connection. */
  async close(opts: { endSession?: boolean } = {}): Promise<void> {
    this.#closed = true;
    for (const [rqi, p] of this.#pending) {
      clearTimeout(p.timer);
      p.reject(new M2MError(ResponseStatusCode.TARGET_NOT_REACHABLE, 'MQTT originator closed before the response'));
      this.#pending.delete(rqi);
    }
    for (const f of this.#listening) this.connection.removeListener(f, this.#listener);
    this.connection.offReconnect(this.#onReconnect);
    if (this.#owned) await this.connection.close(opts);
  }
}
