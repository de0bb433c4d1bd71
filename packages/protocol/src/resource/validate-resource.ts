// Checks the Content of a CREATE / UPDATE request against the resource type's attribute table:
// root element (TS-0004 7.2.1.1), request optionality M / O / NP (7.4.x.1, Annex K.2), NULL in
// UPDATE (7.3.3.x "O attribute for update request"), data types (6.3), resource name rules (6.3.3).
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { M2MError } from '../error.js';
import { parseTarget } from '../ids.js';
import { badRequest, show } from '../lib/bad-request.js';
import { isPlainObject } from '../lib/checks.js';
import { ResourceType, resourceTypeRootName } from '../resource-type.js';
import { ResponseStatusCode } from '../status.js';
import { isAbsRelTimestamp } from '../time/abs-rel-timestamp.js';
import { isTimestamp } from '../time/timestamp.js';
import { type ResourceAttributeTable, resourceAttributeTables } from './attribute-table.js';
import { containerDefinitionByCnd } from './container-definitions.js';
import { isSpecializedType, type Specialization, specializationByRoot } from './specializations.js';

export type ContentOperation = 'create' | 'update';

export interface ValidateResourceContext {
  /** Type of the parent resource (CREATE): enables the reserved child names check. */
  parentTy?: number;
}

/**
 * Child names a parent type reserves for its virtual children: TS-0004 Table 6.8-1 gives each virtual
 * resource a fixed resourceName under its parent types, so a real child of that name would be shadowed by
 * (or shadow) the virtual one. Served parent types only; the others cannot have children here.
 */
export const reservedChildNames: Readonly<Record<number, readonly string[]>> = {
  [ResourceType.container]: ['la', 'ol'], // <latest>, <oldest>
  [ResourceType.group]: ['fopt', 'sfop'], // <fanOutPoint>, <semanticFanOutPoint>
  [ResourceType.subscription]: ['ntsr'], // <notificationTargetSelfReference>
  [ResourceType.timeSeries]: ['la', 'ol'], // TS-0004 Table 7.4.38.1-4
  [ResourceType.pollingChannel]: ['pcu'], // TS-0004 Table 7.4.21.1-3
};

const ajv = new Ajv({ allErrors: false, strict: true, strictTypes: false });
ajv.addFormat('m2m-timestamp', { type: 'string', validate: (s: string) => isTimestamp(s) });
ajv.addFormat('m2m-abs-rel-timestamp', { type: 'string', validate: (s: string) => isAbsRelTimestamp(s) });
ajv.addFormat('m2m-id', {
  type: 'string',
  validate: (s: string) => {
    try {
      parseTarget(s);
      return true;
    } catch {
      return false;
    }
  },
});

interface Compiled {
  table: ResourceAttributeTable;
  validate: Record<ContentOperation, ValidateFunction>;
}

function compile(table: ResourceAttributeTable, op: ContentOperation): ValidateFunction {
  const properties: Record<string, unknown> = {};
  for (const [short, spec] of table.attributes) {
    if (spec[op] === 'NP') continue;
    if (op === 'create' && short === 'cr') continue; // NULL only, checked by hand
    properties[short] = spec.dataType.schema;
  }
  return ajv.compile({ type: 'object', properties });
}

// Compiled once at module load: ajv compilation is slow, validation is on the request hot path.
const compiled = new Map<number, Compiled>();
for (const [ty, table] of resourceAttributeTables) {
  compiled.set(ty, { table, validate: { create: compile(table, 'create'), update: compile(table, 'update') } });
}

const OP = { create: 'CREATE', update: 'UPDATE' } as const;

/**
 * Validates the Content of a CREATE or UPDATE of resource type `ty` and returns its root name and
 * attributes (the object inside the root, not copied). Every failure is an M2MError 4000, except
 * CREATE / UPDATE of <CSEBase> which is 4005 (TS-0004 7.4.3.2).
 */
export function validateResource(
  op: ContentOperation,
  ty: number,
  pc: unknown,
  ctx: ValidateResourceContext = {},
): { root: string; attrs: Record<string, unknown> } {
  const c = compiled.get(ty);
  if (c === undefined) badRequest(`ty ${show(ty)} is not a resource type this CSE serves`);
  let { table } = c;
  let root = table.root;
  if (ty === ResourceType.CSEBase) {
    throw new M2MError(ResponseStatusCode.OPERATION_NOT_ALLOWED, `<CSEBase> cannot be ${op}d by a request`);
  }

  if (!isPlainObject(pc)) badRequest(`content must be an object with the root element ${root}`);
  let only: string | undefined;
  for (const k in pc) {
    if (only !== undefined) badRequest(`content must have exactly one root element (expected ${root})`);
    only = k;
  }
  if (only === undefined) badRequest(`content is empty (expected ${root})`);
  let validate = c.validate[op];
  let special: Specialization | undefined;
  if (isSpecializedType(ty)) {
    special = specialization(ty, op, only, pc[only]);
    table = special.table;
    root = table.root;
    validate = compiledSpecialization(special)[op];
  } else if (only !== root) badRequest(`content root '${show(only)}' does not match ty=${ty} (expected ${root})`);
  const attrs = pc[root];
  if (!isPlainObject(attrs)) badRequest(`${root} must be an object of attributes`);

  let nulls = false;
  for (const k in attrs) {
    const spec = table.attributes.get(k);
    if (spec === undefined) {
      if (table.allowsCustomAttributes) continue;
      badRequest(`unknown attribute '${show(k)}' in ${root}`);
    }
    if (spec[op] === 'NP') badRequest(`attribute '${k}' of ${root} is not permitted in ${OP[op]}`);
    const v = attrs[k];
    if (op === 'create' && k === 'cr') {
      // TS-0004 7.3.3.1 (Recv-6.x): creator is requested with NULL; the Hosting CSE sets it from From.
      if (v !== null) badRequest(`attribute 'cr' of ${root} must be null in CREATE (the Hosting CSE sets it)`);
      nulls = true;
    } else if (v === null) {
      if (op === 'create') badRequest(`attribute '${k}' of ${root} must not be null in CREATE`);
      if (!spec.nullableInUpdate) {
        badRequest(`attribute '${k}' of ${root} cannot be deleted (null) in UPDATE: multiplicity ${spec.multiplicity}`);
      }
      nulls = true;
    }
  }
  for (const k of table.mandatory[op]) {
    if (attrs[k] === undefined) badRequest(`missing mandatory attribute '${k}' in ${root}`);
  }

  const typed = nulls ? withoutNulls(attrs) : attrs;
  if (!validate(typed)) throw typeError(table, validate.errors?.[0]);
  if (special && op === 'create') {
    const own = special.ty === ResourceType.mgmtObj ? attrs.mgd : attrs.cnd;
    if (own !== special.key) {
      badRequest(
        `${special.ty === ResourceType.mgmtObj ? 'mgd' : 'cnd'} '${show(own)}' does not match the root ${root}`,
      );
    }
  }

  if (op === 'create' && typeof attrs.rn === 'string' && ctx.parentTy !== undefined) {
    if (reservedChildNames[ctx.parentTy]?.includes(attrs.rn)) {
      badRequest(`resource name '${attrs.rn}' is reserved under ${resourceTypeRootName[ctx.parentTy as ResourceType]}`);
    }
  }
  return { root, attrs };
}

/**
 * The specialization a <mgmtObj> / <flexContainer> request names by its root (TS-0004 7.4.15, Annex D,
 * 7.4.37). An unknown containerDefinition is 4125 SPECIALIZATION_SCHEMA_NOT_FOUND (7.4.37.2.1).
 */
function specialization(ty: number, op: ContentOperation, root: string, body: unknown): Specialization {
  const s = specializationByRoot(ty, root);
  if (s) return s;
  if (ty === ResourceType.flexContainer) {
    const cnd = isPlainObject(body) ? body.cnd : undefined;
    if (op === 'create' && typeof cnd === 'string' && !containerDefinitionByCnd(cnd)) {
      throw new M2MError(
        ResponseStatusCode.SPECIALIZATION_SCHEMA_NOT_FOUND,
        `containerDefinition '${show(cnd)}' is not known to this CSE`,
      );
    }
    badRequest(`content root '${show(root)}' is not a flexContainer specialization this CSE knows`);
  }
  if (ty === ResourceType.flexContainerAnnc)
    badRequest(
      `content root '${show(root)}' is not the announced variant of a flexContainer specialization this CSE knows`,
    );
  badRequest(`content root '${show(root)}' is not a mgmtObj specialization this CSE serves (TS-0004 Annex D)`);
}

const compiledSpecializations = new WeakMap<Specialization, Record<ContentOperation, ValidateFunction>>();
function compiledSpecialization(s: Specialization): Record<ContentOperation, ValidateFunction> {
  let v = compiledSpecializations.get(s);
  if (!v) {
    v = { create: compile(s.table, 'create'), update: compile(s.table, 'update') };
    compiledSpecializations.set(s, v);
  }
  return v;
}

function withoutNulls(attrs: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k in attrs) if (attrs[k] !== null) out[k] = attrs[k];
  return out;
}

function typeError(table: ResourceAttributeTable, e: ErrorObject | undefined): M2MError {
  const path = e?.instancePath ?? '';
  const k = decodePointer(path.split('/')[1] ?? '');
  const spec = table.attributes.get(k);
  const what = spec ? spec.dataType.description : 'valid';
  const nested = path.split('/').length > 2 ? ` (at ${path}: ${e?.message ?? 'invalid'})` : '';
  return new M2MError(
    ResponseStatusCode.BAD_REQUEST,
    `attribute '${show(k)}' of ${table.root} must be ${what}${nested}`,
  );
}

function decodePointer(s: string): string {
  return s.replace(/~1/g, '/').replace(/~0/g, '~');
}
