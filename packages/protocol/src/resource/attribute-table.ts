// Per served resource type: the attribute table (generated from TS-0004 7.4.x.1 and TS-0001 9.6) joined
// with the data-type schemas, as looked up on the request hot path.
import { type AttributeRow, attributeTables, customAttributeTypes } from '../generated/attribute-tables.js';
import { type ResourceType, resourceTypeRootName } from '../resource-type.js';
import { type DataType, dataTypes } from './data-types.js';

export interface AttributeSpec extends AttributeRow {
  dataType: DataType;
  /** TS-0004 7.3.3.x UPDATE: NULL deletes an optional attribute whose TS-0001 multiplicity is not 1 / 1(L). */
  nullableInUpdate: boolean;
}

export interface ResourceAttributeTable {
  ty: ResourceType;
  root: string;
  /** Short name -> spec. */
  attributes: ReadonlyMap<string, AttributeSpec>;
  /** flexContainer: attributes not in the table are custom attributes (TS-0004 7.4.37). */
  allowsCustomAttributes: boolean;
  mandatory: { create: readonly string[]; update: readonly string[] };
}

/** Joins attribute rows with their data types; `root` overrides the type's root (specializations). */
export function buildAttributeTable(
  ty: ResourceType,
  rows: readonly AttributeRow[],
  root?: string,
): ResourceAttributeTable {
  const attributes = new Map<string, AttributeSpec>();
  for (const r of rows) {
    const dataType = dataTypes[r.type];
    if (dataType === undefined) throw new Error(`no data type schema for '${r.type}' (${r.long}, ty ${ty})`);
    attributes.set(r.short, {
      ...r,
      dataType,
      // expirationTime (1) too: NULL lets the Hosting CSE choose a new value (TS-0001 9.6.1.3).
      nullableInUpdate: r.update === 'O' && (r.multiplicity.startsWith('0') || r.short === 'et'),
    });
  }
  return {
    ty,
    root: root ?? resourceTypeRootName[ty],
    attributes,
    // A specialization lists its own attributes: anything else is unknown (TS-0004 7.4.15.1, 7.4.37.2.1).
    allowsCustomAttributes: root === undefined && customAttributeTypes.includes(ty),
    mandatory: {
      create: rows.filter((r) => r.create === 'M').map((r) => r.short),
      update: rows.filter((r) => r.update === 'M').map((r) => r.short),
    },
  };
}

/** Attribute tables of every served resource type, keyed by ty. */
export const resourceAttributeTables: ReadonlyMap<number, ResourceAttributeTable> = new Map(
  Object.entries(attributeTables).map(([ty, rows]) => [
    Number(ty),
    buildAttributeTable(Number(ty) as ResourceType, rows),
  ]),
);
