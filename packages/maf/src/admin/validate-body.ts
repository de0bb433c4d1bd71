// A request body checked against its JSON Schema (admin/schemas.ts) with ajv, the validator already used
// for the apps' configuration. A refusal names the field and says what it must be (the schema's
// x-message), or names the unknown attribute; nothing is written before it passes.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { bad } from '../lib/validate.js';
import type { BodySchema } from './schemas.js';

const ajv = new Ajv({ allErrors: false, strict: true, allowUnionTypes: true });
ajv.addKeyword('x-message');
ajv.addKeyword('x-what');
const compiled = new WeakMap<BodySchema, ValidateFunction>();

function refusal(schema: BodySchema, e: ErrorObject): string {
  if (e.keyword === 'additionalProperties' && e.instancePath === '') {
    const name = String((e.params as { additionalProperty: string }).additionalProperty).slice(0, 64);
    return `the ${schema['x-what']} request has an unknown attribute '${name}'`;
  }
  const field =
    e.keyword === 'required' && e.instancePath === ''
      ? (e.params as { missingProperty: string }).missingProperty
      : e.instancePath.split('/')[1];
  const property = field === undefined ? undefined : schema.properties[field];
  if (property?.['x-message']) return String(property['x-message']);
  return `the ${schema['x-what']} request body must be a JSON object (Content-Type: application/json)`;
}

export function validateBody(schema: BodySchema, body: unknown): void {
  let validate = compiled.get(schema);
  if (!validate) {
    validate = ajv.compile(schema);
    compiled.set(schema, validate);
  }
  if (!validate(body)) bad(refusal(schema, validate.errors![0]!));
}
