// One MQTT session (one ClientId) shared by whatever a node does over it: the CSE side of the binding,
// an originator awaiting responses, a RequestSender. Two connections with one ClientId would take
// each other's session over, so a node opens one and hands it around.
import mqtt, { type MqttClient } from 'mqtt';
import type { BindingLogger } from '../lib/logger.js';
import { topicMatches } from '../lib/topic-filter.js';
import { brokerUrls, type MqttConnectOptions, mqttClientOptions } from './connect-options.js';

export type MessageListener = (topic: string, payload: Buffer) => void;

// With Clean Session false the broker delivers what it queued for us right after CONNACK, possibly
// before a listener is attached: such messages wait here (bounded) for a listener whose filter matches.
const MAX_UNCLAIMED = 10_000;

export class MqttConnection {
  readonly client: MqttClient;
  readonly clientId: string;
  readonly url: string;
  readonly #listeners: Array<{ filter: string; listener: MessageListener }> = [];
  readonly #unclaimed: Array<[string, Buffer]> = [];
  readonly #logger: BindingLogger | undefined;
  readonly #options: MqttConnectOptions;
  readonly #reconnectListeners: Array<() => void> = [];

  private constructor(client: MqttClient, o: MqttConnectOptions, logger?: BindingLogger) {
    this.client = client;
    this.#options = o;
    this.clientId = o.clientId;
    this.url = o.url;
    this.#logger = logger;
    client.on('message', (topic, payload) => this.#dispatch(topic, payload));
    // Requests and responses are small packets each awaited by someone: Nagle's algorithm with the
    // peer's delayed ACKs would hold them for tens of milliseconds.
    client.on('connect', () => (client.stream as { setNoDelay?: (on: boolean) => void }).setNoDelay?.(true));
  }

  /**
   * Connects (TS-0010 6.3) and resolves after CONNACK; rejects when the broker or TLS refuses. With
   * `failover`, a node that does not answer is skipped: it rejects once every node was tried, or at once
   * when a broker refuses the CONNECT (a node of the same cluster would refuse it too).
   */
  static async connect(o: MqttConnectOptions, logger?: BindingLogger): Promise<MqttConnection> {
    const nodes = brokerUrls(o).length;
    const client = mqtt.connect(o.url, mqttClientOptions(o));
    const connection = new MqttConnection(client, o, logger);
    client.on('error', (e) => logger?.({ level: 'warn', message: `MQTT connection ${o.clientId}: ${e.message}` }));
    await new Promise<void>((resolve, reject) => {
      let tried = 0;
      let lastError: Error | undefined;
      const done = () => {
        client.off('connect', onConnect);
        client.off('error', onError);
        client.off('close', onClose);
      };
      const fail = (e: Error) => {
        done();
        client.end(true);
        reject(e);
      };
      const onConnect = () => {
        done();
        resolve();
      };
      const onError = (e: Error) => {
        lastError = e;
        // A CONNACK refusal carries its return code; one broker node: every error ends the attempt.
        if (nodes === 1 || typeof (e as { code?: unknown }).code === 'number') fail(e);
      };
      const onClose = () => {
        if (++tried < nodes) return; // MQTT.js reconnects to the next node
        fail(lastError ?? new Error(`connection to ${new URL(o.url).host} closed before CONNACK`));
      };
      client.on('connect', onConnect);
      client.on('error', onError);
      client.on('close', onClose);
    });
    client.on('connect', () => {
      for (const l of connection.#reconnectListeners) l();
    });
    return connection;
  }

  /**
   * Calls `listener` after every reconnection (a new CONNACK, possibly from another broker node). MQTT.js
   * itself re-sends the PUBLISHes that had no PUBACK and subscribes again when the session is gone.
   */
  onReconnect(listener: () => void): void {
    this.#reconnectListeners.push(listener);
  }

  offReconnect(listener: () => void): void {
    const i = this.#reconnectListeners.indexOf(listener);
    if (i >= 0) this.#reconnectListeners.splice(i, 1);
  }

  #dispatch(topic: string, payload: Buffer): void {
    let claimed = false;
    for (const { filter, listener } of this.#listeners) {
      if (!topicMatches(filter, topic)) continue;
      claimed = true;
      try {
        listener(topic, payload);
      } catch (e) {
        this.#logger?.({ level: 'error', message: 'message listener threw', topic, error: e });
      }
    }
    if (claimed) return;
    if (this.#unclaimed.length >= MAX_UNCLAIMED) {
      this.#logger?.({ level: 'warn', message: 'message on a topic nobody listens to dropped', topic });
      return;
    }
    this.#unclaimed.push([topic, payload]);
  }

  /** Subscribes with QoS 1 and routes matching messages to `listener` (also any that arrived before). */
  async subscribe(filter: string, listener: MessageListener): Promise<void> {
    this.#listeners.push({ filter, listener });
    for (let i = 0; i < this.#unclaimed.length; ) {
      const [topic, payload] = this.#unclaimed[i]!;
      if (topicMatches(filter, topic)) {
        this.#unclaimed.splice(i, 1);
        listener(topic, payload);
      } else i++;
    }
    // SUBACK 0x80 (3.1.1) / >= 0x80 (5): refused (MQTT.js rejects on it; older versions resolved).
    const granted = await this.client.subscribeAsync(filter, { qos: 1 }).catch(() => undefined);
    const g = granted?.[0];
    if (g === undefined || (g.qos as number) >= 0x80) {
      this.removeListener(filter, listener);
      throw new Error(`broker refused the subscription ${filter}`);
    }
  }

  /** Stops routing `filter` here (the broker subscription stays: other listeners may share it). */
  removeListener(filter: string, listener: MessageListener): void {
    const i = this.#listeners.findIndex((l) => l.filter === filter && l.listener === listener);
    if (i >= 0) this.#listeners.splice(i, 1);
  }

  /**
   * PUBLISH with QoS 1 (TS-0010 6.4.1.1), no retain. Resolves on PUBACK. With MQTT 5 a refusal by the
   * broker (e.g. 0x87 not authorized by its ACL) rejects with the reason code; MQTT 3.1.1 has no way
   * to tell a publisher, the message is then silently dropped by the broker.
   */
  async publish(topic: string, payload: string | Buffer): Promise<void> {
    await this.client.publishAsync(topic, payload, { qos: 1, retain: false });
  }

  get connected(): boolean {
    return this.client.connected;
  }

  /**
   * Disconnects. With `endSession`, then reconnects with Clean Session true and disconnects again so
   * the broker forgets the session (TS-0010 6.3.3, leaving for good).
   */
  async close(opts: { endSession?: boolean } = {}): Promise<void> {
    await this.client.endAsync();
    if (opts.endSession) {
      const c = await mqtt.connectAsync(this.#options.url, {
        ...mqttClientOptions(this.#options),
        clean: true,
        reconnectPeriod: 0,
      });
      await c.endAsync();
    }
  }
}
