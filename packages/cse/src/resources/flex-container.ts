// <flexContainer> (TS-0004 7.4.37, TS-0001 9.6.35): a specialization named by containerDefinition
// (cnd); its custom attributes were checked against the definition by protocol's validateResource
// (unknown cnd 4125, unknown or ill-typed custom attribute 4000). Here: contentSize (cs) is the byte sum
// of the custom attributes on CREATE and UPDATE (7.4.37.2.1 / 7.4.37.2.3), the stateTag counts updates.
import { containerDefinitionByCnd, ResourceType } from '@m2msec/protocol';
import type { StoredResource } from '@m2msec/store';
import { contentSize } from './container.js';
import type { ResourceTypeHandler } from './handler.js';
import { checkSpecializationRoot } from './specialization-root.js';

/** Sum of the sizes in bytes of the custom attributes present in `r`. */
export function customAttributesSize(r: Record<string, unknown>): number {
  const def = typeof r.cnd === 'string' ? containerDefinitionByCnd(r.cnd) : undefined;
  let cs = 0;
  for (const a of def?.customAttributes ?? []) if (r[a.short] !== undefined) cs += contentSize(r[a.short]);
  return cs;
}

export const flexContainerHandler: ResourceTypeHandler = {
  ty: ResourceType.flexContainer,
  // TS-0004 7.4.37.1: CSEBase, AE, remoteCSE, container; Table 7.4.37.1-3: flexContainer.
  parents: [
    ResourceType.CSEBase,
    ResourceType.AE,
    ResourceType.remoteCSE,
    ResourceType.container,
    ResourceType.flexContainer,
  ],
  hasAcpi: true,
  idPrefix: 'fcnt',
  create({ resource }) {
    resource.st = 0;
    resource.cs = customAttributesSize(resource);
  },
  update(ctx, current, changes) {
    checkSpecializationRoot(ctx, current);
    const merged: StoredResource = { ...current };
    for (const [k, v] of Object.entries(changes)) {
      if (v === null) delete merged[k];
      else merged[k] = v;
    }
    changes.cs = customAttributesSize(merged);
  },
};
