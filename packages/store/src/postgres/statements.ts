import type pg from 'pg';

/** A pool or a checked-out client: both run queries. */
export type Queryable = Pick<pg.Pool, 'query'> | Pick<pg.PoolClient, 'query'>;

/**
 * Names every SQL text the store runs so the driver prepares it once per connection (a named statement)
 * and later calls only bind and execute. Names are per store; each store owns its pool.
 */
export class PgStatements {
  readonly schema: string;
  readonly #names = new Map<string, string>();

  constructor(quotedSchema: string) {
    this.schema = quotedSchema;
  }

  query<R extends pg.QueryResultRow>(q: Queryable, text: string, values: unknown[]): Promise<pg.QueryResult<R>> {
    let name = this.#names.get(text);
    if (name === undefined) {
      name = `m2msec_${this.#names.size}`;
      this.#names.set(text, name);
    }
    return (q as Pick<pg.Pool, 'query'>).query<R>({ name, text, values });
  }
}
