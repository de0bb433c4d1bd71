// <node> (TS-0004 7.4.18, TS-0001 9.6.18): the properties of an M2M Node, parent of its <mgmtObj>
// specializations. Generic procedures only (7.4.18.2.x "no change"); child of the <CSEBase>
// (TS-0004 Table 7.4.3.1-4). hostedCSELink / hostedAELinks are kept as given: the entities they name
// may register after the node is created.
import { ResourceType } from '@m2msec/protocol';
import type { ResourceTypeHandler } from './handler.js';

export const nodeHandler: ResourceTypeHandler = {
  ty: ResourceType.node,
  parents: [ResourceType.CSEBase],
  hasAcpi: true,
  idPrefix: 'nod',
};
