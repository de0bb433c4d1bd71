// Store events over PostgreSQL NOTIFY/LISTEN (DESIGN.md section 6): every instance on the same
// database and schema hears what another published, so per-instance caches of hot security state
// (replay windows, revocations, keys) are invalidated without a home-made cluster protocol.
// One dedicated connection listens; publishing goes through the pool, or through a transaction's own
// connection, where PostgreSQL delivers the notification only if and when that transaction commits.
import { createHash } from 'node:crypto';
import pg from 'pg';
import { checkChannel, checkPayload } from '../events/check-event.js';
import { LocalEventBus } from '../events/local-bus.js';
import type { StoreEvents } from '../types.js';

type Queryable = Pick<pg.ClientBase, 'query'>;

export class PgEvents implements StoreEvents {
  readonly #bus = new LocalEventBus();
  readonly #prefix: string;
  readonly #listening = new Map<string, Promise<void>>();
  #client: Promise<pg.Client> | undefined;
  #closed = false;
  #retryMs = 50;

  constructor(
    private readonly pool: pg.Pool,
    private readonly connectionString: string,
    schema: string,
    private readonly applicationName: string,
  ) {
    // PostgreSQL channel names are identifiers (63 bytes at most): a short digest of the schema keeps
    // two deployments on one database apart.
    this.#prefix = `m2msec_${createHash('sha256').update(schema).digest('hex').slice(0, 12)}_`;
  }

  publish(channel: string, payload: string): Promise<void> {
    return this.publishVia(this.pool, channel, payload);
  }

  /** Publishes on `client` (a transaction's connection: delivered at its COMMIT). */
  async publishVia(client: Queryable, channel: string, payload: string): Promise<void> {
    const name = this.#prefix + checkChannel(channel);
    await client.query('SELECT pg_notify($1, $2)', [name, checkPayload(payload)]);
  }

  async subscribe(channel: string, listener: (payload: string | null) => void): Promise<() => void> {
    checkChannel(channel);
    if (this.#closed) throw new Error('store closed');
    const off = this.#bus.add(channel, listener);
    try {
      await this.#listen(channel);
    } catch (e) {
      off();
      throw e;
    }
    return () => {
      off();
      if (!this.#bus.has(channel)) {
        this.#listening.delete(channel);
        this.#client?.then((c) => c.query(`UNLISTEN "${this.#prefix}${channel}"`)).catch(() => undefined);
      }
    };
  }

  #listen(channel: string): Promise<void> {
    let p = this.#listening.get(channel);
    if (!p) {
      p = this.#connection().then(async (c) => {
        await c.query(`LISTEN "${this.#prefix}${channel}"`);
      });
      p.catch(() => this.#listening.delete(channel));
      this.#listening.set(channel, p);
    }
    return p;
  }

  #connection(): Promise<pg.Client> {
    if (!this.#client) {
      const c = new pg.Client({ connectionString: this.connectionString, application_name: this.applicationName });
      c.on('notification', (m) => {
        if (m.channel.startsWith(this.#prefix))
          this.#bus.deliver(m.channel.slice(this.#prefix.length), m.payload ?? '');
      });
      const lost = () => this.#lost(c);
      c.on('error', lost);
      c.on('end', lost);
      this.#client = c.connect().then(() => c);
      this.#client.catch(() => {
        this.#client = undefined;
      });
    }
    return this.#client;
  }

  /** The listening connection dropped (server restart, failover): reconnect, re-listen, tell listeners to reread. */
  #lost(c: pg.Client): void {
    if (this.#closed) return;
    void this.#client?.then(
      (current) => {
        if (current !== c) return;
        this.#client = undefined;
        this.#listening.clear();
        const retry = () => {
          if (this.#closed) return;
          const channels = this.#bus.channels();
          Promise.all(channels.map((ch) => this.#listen(ch)))
            .then(() => {
              this.#retryMs = 50;
              for (const ch of channels) this.#bus.deliver(ch, null);
            })
            .catch(() => {
              this.#retryMs = Math.min(this.#retryMs * 2, 5000);
              setTimeout(retry, this.#retryMs).unref();
            });
        };
        setTimeout(retry, this.#retryMs).unref();
      },
      () => undefined,
    );
  }

  async close(): Promise<void> {
    this.#closed = true;
    const c = this.#client;
    this.#client = undefined;
    if (c) await c.then((client) => client.end()).catch(() => undefined);
  }
}
