import { ResourceType } from '@m2msec/protocol';
import type { ResourceTypeHandler } from './handler.js';

// <CSEBase> is created by the CSE itself at start-up (see cse.ts); requests cannot create it.
export const cseBaseHandler: ResourceTypeHandler = {
  ty: ResourceType.CSEBase,
  parents: [],
  hasAcpi: true,
  idPrefix: 'cb',
};
