// accessControlObjectDetails (TS-0003 7.1.3 Table 7.1.3-4, 7.1.5 res_objd): CREATE only.
// res_objd = OR over entries of (res_resourceType AND res_specializationType AND res_childResource);
// resourceType is matched against the targeted (parent) resource, specializationType against the
// containerDefinition / mgmtDefinition in the CREATE Content (the 7.1.5 reference algorithm), and
// childResourceType must list the Resource Type being created. Other operations: res_objd = TRUE.
import { AccessControlOperation } from '@m2msec/protocol';
import { AccessControlRuleError, clip } from '../errors.js';
import type { AccessRequest } from '../types.js';

export type ObjectDetailsMatcher = (req: AccessRequest) => boolean;

const isType = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 1;

function compileEntry(entry: unknown, path: string): ObjectDetailsMatcher {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry))
    throw new AccessControlRuleError(path, 'must be an object {ty?, spty?, chty}');
  const { ty, spty, chty, ...rest } = entry as Record<string, unknown>;
  const unknown = Object.keys(rest);
  if (unknown.length > 0) throw new AccessControlRuleError(path, `has unknown element '${clip(unknown[0])}'`);
  // TS-0003 7.1.5: "The childResourceType element is mandatory".
  if (!Array.isArray(chty) || chty.length === 0)
    throw new AccessControlRuleError(`${path}.chty`, 'is mandatory: a non-empty list of resource types');
  chty.forEach((t, i) => {
    if (!isType(t)) throw new AccessControlRuleError(`${path}.chty[${i}]`, `'${clip(t)}' is not a resource type`);
  });
  if (ty !== undefined && !isType(ty))
    throw new AccessControlRuleError(`${path}.ty`, `'${clip(ty)}' is not a resource type`);
  if (spty !== undefined && !((typeof spty === 'string' && spty !== '') || Number.isInteger(spty)))
    throw new AccessControlRuleError(`${path}.spty`, `'${clip(spty)}' is not a specialization type`);
  const children = new Set(chty as number[]);
  const want = spty === undefined ? undefined : String(spty);
  return (r) =>
    (ty === undefined || r.targetType === ty) &&
    (want === undefined || (r.specialization !== undefined && String(r.specialization) === want)) &&
    r.resourceType !== undefined &&
    children.has(r.resourceType);
}

/** Compiles acod; undefined when the rule applies to all child types. */
export function compileObjectDetails(acod: unknown, path: string): ObjectDetailsMatcher | undefined {
  if (acod === undefined) return undefined;
  if (!Array.isArray(acod)) throw new AccessControlRuleError(path, 'must be a list of object details');
  if (acod.length === 0) return undefined;
  const entries = acod.map((e, i) => compileEntry(e, `${path}[${i}]`));
  return (r) => {
    if (r.operation !== AccessControlOperation.CREATE) return true;
    for (let i = 0; i < entries.length; i++) if (entries[i]!(r)) return true;
    return false;
  };
}
