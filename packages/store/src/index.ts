export { openStore, type StoreConfig } from './open-store.js';
export { openPostgresStore, type PostgresStoreOptions } from './postgres/open.js';
export { installReadCache, type ReadCache, type ReadCacheOptions } from './read-cache.js';
export { openSqliteStore, type SqliteStoreOptions } from './sqlite/open.js';
export {
  type Collection,
  type ResourceQuery,
  type ResourceStore,
  type Store,
  StoreConflictError,
  type StoredResource,
  type StoreEvents,
  StoreNotFoundError,
  type StoreTransaction,
  type TransactionOptions,
} from './types.js';
