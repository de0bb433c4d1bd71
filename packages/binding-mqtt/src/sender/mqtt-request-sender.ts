// RequestSender for mqtt / mqtts points of access (TS-0010 6.6): notifications to AEs and requests to
// CSEs reachable over MQTT. One MqttOriginator per broker, opened on first use.
import type { RequestPrimitive, RequestSender, ResponsePrimitive } from '@m2msec/protocol';
import { M2MError, ResponseStatusCode } from '@m2msec/protocol';
import { MqttOriginator } from '../client/mqtt-originator.js';
import type { MqttConnectOptions } from '../connection/connect-options.js';
import type { MqttConnection } from '../connection/mqtt-connection.js';
import type { BindingLogger } from '../lib/logger.js';
import { clientIdForCse } from '../topics/client-id.js';
import { destinationFor } from './receiver.js';

export interface MqttRequestSenderOptions {
  /** This CSE's SP-relative CSE-ID: the <originator> of what it publishes, e.g. '/id-in'. */
  cseId: string;
  /**
   * Connection settings for a broker, given its URL 'mqtts://host:port' (TLS credentials of this CSE
   * for that broker). Default: no TLS options and ClientId 'C::<CSE-ID>'.
   */
  connectOptions?: (brokerUrl: string) => Partial<MqttConnectOptions>;
  /** Open connections to reuse for their brokers (a broker allows one session per ClientId). */
  connections?: MqttConnection[];
  /** Default time for a response in ms; default 10 s. */
  timeoutMs?: number;
  logger?: BindingLogger;
}

const unreachable = (message: string) => new M2MError(ResponseStatusCode.TARGET_NOT_REACHABLE, message);

/** 'mqtts://host:8883': the broker a point of access names (6.6 default ports 1883 / 8883). */
export function brokerOf(url: URL): string {
  const port = url.port === '' ? (url.protocol === 'mqtts:' ? '8883' : '1883') : url.port;
  return `${url.protocol}//${url.hostname}:${port}`;
}

export class MqttRequestSender implements RequestSender {
  readonly schemes = ['mqtt', 'mqtts'] as const;
  readonly #o: MqttRequestSenderOptions;
  readonly #shared = new Map<string, MqttConnection>();
  readonly #originators = new Map<string, Promise<MqttOriginator>>();

  constructor(o: MqttRequestSenderOptions) {
    this.#o = o;
    for (const c of o.connections ?? []) this.#shared.set(brokerOf(new URL(c.url)), c);
  }

  /** Reuses `connection` for its broker from now on (e.g. the CSE binding's, opened after this sender). */
  useConnection(connection: MqttConnection): void {
    const broker = brokerOf(new URL(connection.url));
    this.#shared.set(broker, connection);
    for (const key of this.#originators.keys()) if (key.startsWith(`${broker} `)) this.#originators.delete(key);
  }

  #originator(broker: string, prefix: string): Promise<MqttOriginator> {
    const key = `${broker} ${prefix}`;
    let o = this.#originators.get(key);
    if (o === undefined) {
      const connection = this.#shared.get(broker);
      const common = { originator: this.#o.cseId, topicPrefix: prefix, logger: this.#o.logger };
      o =
        connection === undefined
          ? MqttOriginator.open({
              ...common,
              connect: { clientId: clientIdForCse(this.#o.cseId), ...this.#o.connectOptions?.(broker), url: broker },
            })
          : MqttOriginator.open({ ...common, connection });
      this.#originators.set(key, o);
      o.catch(() => this.#originators.delete(key));
    }
    return o;
  }

  /**
   * Publishes `req` to the receiver the point of access and To name, and resolves with the response.
   * Rejects with M2MError 5103 when the broker cannot be reached or refuses, 4008 on timeout.
   */
  async send(poa: string, req: RequestPrimitive, opts: { timeoutMs?: number } = {}): Promise<ResponsePrimitive> {
    let url: URL;
    try {
      url = new URL(poa);
    } catch {
      throw unreachable('point of access is not a URL');
    }
    if (url.protocol !== 'mqtt:' && url.protocol !== 'mqtts:') {
      throw unreachable(`point of access scheme '${url.protocol.slice(0, -1)}' is not mqtt or mqtts`);
    }
    const dest = destinationFor(url, req.to, this.#o.cseId);
    let originator: MqttOriginator;
    try {
      originator = await this.#originator(brokerOf(url), dest.prefix);
    } catch (e) {
      throw unreachable(
        `broker ${brokerOf(url)} is not reachable (${(e as { code?: string }).code ?? 'connect failed'})`,
      );
    }
    // A To that was the point of access itself says nothing to the receiver: give it its own ID.
    const out = req.to === poa ? { ...req, to: dest.receiverId } : req;
    return originator.send(out, { receiver: dest.receiverId, timeoutMs: opts.timeoutMs ?? this.#o.timeoutMs });
  }

  /** Closes the connections this sender opened (shared ones stay with their owner). */
  async close(): Promise<void> {
    const all = [...this.#originators.values()];
    this.#originators.clear();
    for (const o of all) await (await o.catch(() => undefined))?.close();
  }
}
