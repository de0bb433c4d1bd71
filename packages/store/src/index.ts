export {
  type StoredResource,
  type ResourceQuery,
  type ResourceStore,
  type Collection,
  type Store,
  StoreConflictError,
  StoreNotFoundError,
} from './types.js';
