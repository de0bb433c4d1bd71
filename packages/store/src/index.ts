export { countReads, type ReadCount } from './lib/count-reads.js';
export { sortableNumber } from './lib/indexes.js';
export { openMemoryStore } from './memory/open.js';
export { openStore, type StoreConfig } from './open-store.js';
export { openPostgresStore, type PostgresStoreOptions } from './postgres/open.js';
export { installReadCache, type ReadCache, type ReadCacheOptions } from './read-cache.js';
export { openSqliteStore, type SqliteStoreOptions } from './sqlite/open.js';
export {
  type Collection,
  type CollectionOptions,
  type CollectionStore,
  type CollectionTransaction,
  type Entry,
  type IndexRange,
  type IndexSpec,
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
