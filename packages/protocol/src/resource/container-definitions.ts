// <flexContainer> specializations (TS-0004 7.4.37, TS-0001 9.6.35): the Hosting CSE validates a
// flexContainer against the schema its containerDefinition (cnd) names, 4125
// SPECIALIZATION_SCHEMA_NOT_FOUND when it has none (7.4.37.2.1). Without an ontology or XSD loader this
// CSE knows the definitions in this registry: a few TS-0023 (SDT) ModuleClasses built in, more registered
// by the embedder (docs/conformance-resources.md).
import { type AttributeRow, attributeTables, type RequestOptionality } from '../generated/attribute-tables.js';
import { dataTypes } from './data-types.js';

export interface CustomAttribute {
  long: string;
  /** Short name, the JSON member name. */
  short: string;
  /** A data type name of data-types.ts (xs:boolean, xs:float, xs:string, ...). */
  type: string;
  create: RequestOptionality;
  update: RequestOptionality;
}

export interface ContainerDefinition {
  /** The containerDefinition (cnd) value, e.g. 'org.onem2m.common.moduleclass.binarySwitch'. */
  cnd: string;
  /** The JSON root element of the specialization, with its namespace prefix, e.g. 'cod:binSh'. */
  root: string;
  customAttributes: readonly CustomAttribute[];
}

const dp = (long: string, short: string, type: string, create: RequestOptionality = 'O'): CustomAttribute => ({
  long,
  short,
  type,
  create,
  update: 'O',
});

/** Built-in definitions: TS-0023 ModuleClasses binarySwitch and temperature (cod: namespace). */
export const builtInContainerDefinitions: readonly ContainerDefinition[] = [
  {
    cnd: 'org.onem2m.common.moduleclass.binarySwitch',
    root: 'cod:binSh',
    customAttributes: [dp('powerState', 'powSe', 'xs:boolean', 'M')],
  },
  {
    cnd: 'org.onem2m.common.moduleclass.temperature',
    root: 'cod:tempe',
    customAttributes: [
      dp('currentTemperature', 'curT0', 'xs:float', 'M'),
      dp('targetTemperature', 'tarTe', 'xs:float'),
      dp('unit', 'unit', 'xs:integer'),
      dp('minValue', 'minVe', 'xs:float'),
      dp('maxValue', 'maxVe', 'xs:float'),
      dp('stepValue', 'steVe', 'xs:float'),
    ],
  },
];

const byCnd = new Map<string, ContainerDefinition>();
const byRoot = new Map<string, ContainerDefinition>();

/**
 * Adds a containerDefinition; a second definition for the same cnd or root is refused (an embedder
 * cannot silently change what an existing flexContainer means).
 */
export function registerContainerDefinition(def: ContainerDefinition): void {
  if (!/^[A-Za-z][\w-]*:[A-Za-z][\w]*$/.test(def.root)) throw new Error(`bad flexContainer root '${def.root}'`);
  for (const a of def.customAttributes) {
    // A custom attribute must not shadow one of <flexContainer>'s own (Table 7.4.37.1-1 / -2).
    if (attributeTables[28]!.some((r) => r.short === a.short)) {
      throw new Error(`custom attribute '${a.short}' of '${def.cnd}' is a flexContainer attribute`);
    }
    if (!dataTypes[a.type]) throw new Error(`custom attribute '${a.short}' of '${def.cnd}': no data type '${a.type}'`);
  }
  if (byCnd.has(def.cnd) || byRoot.has(def.root)) {
    const same = byCnd.get(def.cnd);
    if (same && JSON.stringify(same) === JSON.stringify(def)) return;
    throw new Error(`containerDefinition '${def.cnd}' or root '${def.root}' is already registered`);
  }
  byCnd.set(def.cnd, def);
  byRoot.set(def.root, def);
}

for (const d of builtInContainerDefinitions) registerContainerDefinition(d);

export function containerDefinitionByCnd(cnd: string): ContainerDefinition | undefined {
  return byCnd.get(cnd);
}

export function containerDefinitionByRoot(root: string): ContainerDefinition | undefined {
  return byRoot.get(root);
}

/** The attribute rows of a specialization: the flexContainer table plus its custom attributes. */
export function containerDefinitionRows(
  def: ContainerDefinition,
  flexContainerRows: readonly AttributeRow[],
): AttributeRow[] {
  return [
    ...flexContainerRows,
    ...def.customAttributes.map((a) => ({ ...a, multiplicity: a.create === 'M' ? '1' : '0..1' })),
  ];
}
