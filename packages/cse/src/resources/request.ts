// <request> (TS-0004 7.4.12): created only by the CSE for a non-blocking request (operations/non-blocking.ts);
// never through the API (no parent type accepts it in a CREATE) and never updated (Table 7.4.12.1-3).
import { REQUEST_TY } from '../pipeline/root-name.js';
import type { ResourceTypeHandler } from './handler.js';

export const requestHandler: ResourceTypeHandler = {
  ty: REQUEST_TY,
  parents: [],
  hasAcpi: true,
  idPrefix: 'req',
  updatable: false,
};
