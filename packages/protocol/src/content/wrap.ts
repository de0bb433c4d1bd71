// JSON representation of a resource: one key, its type's root name (TS-0004 8.4.2, short names of Table 8.2.4-1).
import { badRequest } from '../lib/bad-request.js';
import { specializationRootOf } from '../resource/specializations.js';
import { isServedResourceType, type ResourceType, resourceTypeRootName } from '../resource-type.js';

const tyByRoot = new Map<string, ResourceType>(
  Object.entries(resourceTypeRootName).map(([ty, root]) => [root, Number(ty) as ResourceType]),
);

/** Root name ('m2m:cnt') of a served resource type; an unserved ty -> M2MError 4000. */
export function rootNameFor(ty: number): string {
  if (!isServedResourceType(ty)) badRequest(`resource type ${ty} is not served by this CSE`);
  return resourceTypeRootName[ty];
}

/** The served resource type whose root name is `root`, or undefined. */
export function tyForRootName(root: string): ResourceType | undefined {
  return tyByRoot.get(root);
}

/** `{ [rootName]: attrs }`, the primitive content carrying one resource. */
export function wrapResource<T>(ty: number, attrs: T): Record<string, T> {
  return { [rootNameFor(ty)]: attrs };
}

/** Root name of a stored resource: its specialization's for <mgmtObj> and <flexContainer> (TS-0004 7.4.15, 7.4.37). */
export function rootNameOfResource(r: { ty: number; mgd?: unknown; cnd?: unknown }): string {
  return specializationRootOf(r) ?? rootNameFor(r.ty);
}
