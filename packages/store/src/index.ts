export { openSqliteStore, type SqliteStoreOptions } from './sqlite/open.js';
export {
  type Collection,
  type ResourceQuery,
  type ResourceStore,
  type Store,
  StoreConflictError,
  type StoredResource,
  StoreNotFoundError,
} from './types.js';
