import { openPostgresStore, type PostgresStoreOptions } from './postgres/open.js';
import { openSqliteStore, type SqliteStoreOptions } from './sqlite/open.js';
import type { Store } from './types.js';

export type StoreConfig = ({ kind: 'sqlite' } & SqliteStoreOptions) | ({ kind: 'postgres' } & PostgresStoreOptions);

/** Opens the store a configuration names: the embedded SQLite file or a shared PostgreSQL database. */
export function openStore(config: StoreConfig): Promise<Store> {
  if (config?.kind === 'sqlite') return openSqliteStore(config);
  if (config?.kind === 'postgres') return openPostgresStore(config);
  return Promise.reject(new TypeError(`unknown store kind ${JSON.stringify((config as { kind?: unknown })?.kind)}`));
}
