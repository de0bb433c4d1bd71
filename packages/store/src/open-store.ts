import { openMemoryStore } from './memory/open.js';
import { openPostgresStore, type PostgresStoreOptions } from './postgres/open.js';
import { openSqliteStore, type SqliteStoreOptions } from './sqlite/open.js';
import type { Store } from './types.js';

export type StoreConfig =
  | { kind: 'memory' }
  | ({ kind: 'sqlite' } & SqliteStoreOptions)
  | ({ kind: 'postgres' } & PostgresStoreOptions);

/**
 * Opens the store a configuration names: a private in-memory store (not durable: gone at close or exit),
 * the embedded SQLite file, or a shared PostgreSQL database.
 */
export function openStore(config: StoreConfig): Promise<Store> {
  if (config?.kind === 'memory') return Promise.resolve(openMemoryStore());
  if (config?.kind === 'sqlite') return openSqliteStore(config);
  if (config?.kind === 'postgres') return openPostgresStore(config);
  return Promise.reject(new TypeError(`unknown store kind ${JSON.stringify((config as { kind?: unknown })?.kind)}`));
}
