// Resource types whose JSON root is a specialization's, not the type's (TS-0004 7.4.15 <mgmtObj> with
// Annex D, 7.4.37 <flexContainer> with its containerDefinition): root -> attribute table, and the
// root a stored resource is represented under.
import { attributeTables } from '../generated/attribute-tables.js';
import { mgmtObjTables } from '../generated/mgmt-obj-tables.js';
import { ResourceType } from '../resource-type.js';
import { buildAttributeTable, type ResourceAttributeTable } from './attribute-table.js';
import {
  containerDefinitionByCnd,
  containerDefinitionByRoot,
  containerDefinitionRows,
} from './container-definitions.js';
import { securityMgmtObjTables } from './security-mgmt-objs.js';

export interface Specialization {
  ty: typeof ResourceType.mgmtObj | typeof ResourceType.flexContainer | typeof ResourceType.flexContainerAnnc;
  /** mgmtDefinition (mgd) of a mgmtObj, containerDefinition (cnd) of a flexContainer. */
  key: number | string;
  table: ResourceAttributeTable;
}

const mgmtObjByRoot = new Map<string, Specialization>();
const mgmtObjRootByMgd = new Map<number, string>();
for (const [mgd, t] of Object.entries({ ...mgmtObjTables, ...securityMgmtObjTables })) {
  const root = `m2m:${t.short}`;
  mgmtObjByRoot.set(root, {
    ty: ResourceType.mgmtObj,
    key: Number(mgd),
    table: buildAttributeTable(ResourceType.mgmtObj, t.attributes, root),
  });
  mgmtObjRootByMgd.set(Number(mgd), root);
}

const flexByRoot = new Map<string, Specialization>();

/** The specialization a request root names for `ty`, or undefined. */
export function specializationByRoot(ty: number, root: string): Specialization | undefined {
  if (ty === ResourceType.mgmtObj) return mgmtObjByRoot.get(root);
  if (ty === ResourceType.flexContainerAnnc) return flexAnncByRoot(root);
  if (ty !== ResourceType.flexContainer) return undefined;
  let s = flexByRoot.get(root);
  if (!s) {
    const def = containerDefinitionByRoot(root);
    if (!def) return undefined;
    s = {
      ty: ResourceType.flexContainer,
      key: def.cnd,
      table: buildAttributeTable(ResourceType.flexContainer, containerDefinitionRows(def, attributeTables[28]!), root),
    };
    flexByRoot.set(root, s);
  }
  return s;
}

const flexAnnc = new Map<string, Specialization>();

/**
 * <flexContainerAnnc> (TS-0004 7.4.26, Annex J): the root of the specialization with the suffix 'Annc'; the
 * universal / common attributes of Table 7.4.26.1-2, and the specialization's custom attributes as optional
 * (the announcing CSE sends those named in announcedAttribute).
 */
function flexAnncByRoot(root: string): Specialization | undefined {
  if (!root.endsWith('Annc')) return undefined;
  let s = flexAnnc.get(root);
  if (!s) {
    const def = containerDefinitionByRoot(root.slice(0, -'Annc'.length));
    if (!def) return undefined;
    const rows = containerDefinitionRows(def, attributeTables[ResourceType.flexContainerAnnc]!).map((r) =>
      r.create === 'M' && !['et', 'lnk'].includes(r.short) ? { ...r, create: 'O' as const, multiplicity: '0..1' } : r,
    );
    s = {
      ty: ResourceType.flexContainerAnnc,
      key: def.cnd,
      table: buildAttributeTable(ResourceType.flexContainerAnnc, rows, root),
    };
    flexAnnc.set(root, s);
  }
  return s;
}

/** Whether `ty` is represented under a specialization root. */
export function isSpecializedType(ty: number): boolean {
  return ty === ResourceType.mgmtObj || ty === ResourceType.flexContainer || ty === ResourceType.flexContainerAnnc;
}

/** The JSON root of a stored resource: its specialization's for mgmtObj / flexContainer. */
export function specializationRootOf(r: { ty: number; mgd?: unknown; cnd?: unknown }): string | undefined {
  if (r.ty === ResourceType.mgmtObj && typeof r.mgd === 'number') return mgmtObjRootByMgd.get(r.mgd);
  if (r.ty === ResourceType.flexContainer && typeof r.cnd === 'string') return containerDefinitionByCnd(r.cnd)?.root;
  if (r.ty === ResourceType.flexContainerAnnc && typeof r.cnd === 'string') {
    const root = containerDefinitionByCnd(r.cnd)?.root;
    return root ? `${root}Annc` : undefined;
  }
  return undefined;
}
