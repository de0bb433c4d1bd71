// Admin APIs (MEF, MAF) described once (issue 19 item 7): each route's request body is a JSON Schema that
// both checks the request (ajv, before the handler's checks of meaning) and goes, unchanged, into the
// API's OpenAPI 3.1 document. `x-message` is the refusal's text when that property is wrong; `x-what`
// names the request in "the client request has an unknown attribute 'x'".
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';

export interface BodySchema {
  'x-what': string;
  type: 'object';
  additionalProperties: false;
  required: string[];
  properties: Record<string, Record<string, unknown>>;
}

export interface AdminOperation {
  method: 'GET' | 'PUT' | 'POST' | 'DELETE';
  /** The route's path, express style (:param). */
  path: string;
  summary: string;
  params?: Record<string, { description: string; pattern?: string }>;
  query?: Record<string, { description: string; pattern?: string }>;
  /** Request headers the route reads (all optional to the router; the handler says when one is missing). */
  headers?: Record<string, { description: string }>;
  body?: BodySchema;
  /** 'none': the route is open or authenticates its body itself (a MAC); the document says so. */
  security?: 'none';
  /** Refusal statuses beyond 400 / 401 / 404 (e.g. 403 for a caller that is not an administrator). */
  refusals?: string[];
}

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

/** undefined when `body` matches `schema`, else the refusal's text naming the field. */
export function checkBody(schema: BodySchema, body: unknown): string | undefined {
  let validate = compiled.get(schema);
  if (!validate) {
    validate = ajv.compile(schema);
    compiled.set(schema, validate);
  }
  return validate(body) ? undefined : refusal(schema, validate.errors![0]!);
}

/** express-style :param -> OpenAPI {param}. */
export const openApiPath = (path: string): string => path.replace(/:([A-Za-z]+)/g, '{$1}');

const errorResponse = {
  description: 'Refused: JSON {code, error} naming the field or the reason',
  content: {
    'application/json': {
      schema: {
        type: 'object',
        required: ['code', 'error'],
        properties: { code: { type: 'string' }, error: { type: 'string' } },
      },
    },
  },
};

const operationId = (method: string, path: string) =>
  `${method.toLowerCase()}${openApiPath(path).replace(/[^A-Za-z]+(.)?/g, (_, c: string | undefined) => (c ? c.toUpperCase() : ''))}`;

/**
 * The OpenAPI 3.1 document of an admin API behind a bearer token, or behind `authentication` (a security
 * scheme, e.g. mutualTLS for a security association).
 */
export function adminOpenApi(o: {
  title: string;
  version: string;
  description: string;
  operations: readonly AdminOperation[];
  authentication?: { name: string; scheme: Record<string, unknown> };
}): Record<string, unknown> {
  const auth = o.authentication ?? { name: 'bearer', scheme: { type: 'http', scheme: 'bearer' } };
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of o.operations) {
    const path = openApiPath(op.path);
    const item = paths[path] ?? {};
    paths[path] = item;
    item[op.method.toLowerCase()] = {
      operationId: operationId(op.method, op.path),
      summary: op.summary,
      parameters: [
        ...Object.entries(op.params ?? {}).map(([name, p]) => ({
          name,
          in: 'path',
          required: true,
          description: p.description,
          schema: { type: 'string', ...(p.pattern ? { pattern: p.pattern } : {}) },
        })),
        ...Object.entries(op.query ?? {}).map(([name, p]) => ({
          name,
          in: 'query',
          required: false,
          description: p.description,
          schema: { type: 'string', ...(p.pattern ? { pattern: p.pattern } : {}) },
        })),
        ...Object.entries(op.headers ?? {}).map(([name, p]) => ({
          name,
          in: 'header',
          required: false,
          description: p.description,
          schema: { type: 'string' },
        })),
      ],
      ...(op.security === 'none' ? { security: [] } : {}),
      ...(op.body ? { requestBody: { required: true, content: { 'application/json': { schema: op.body } } } } : {}),
      responses: {
        '200': { description: 'Done; the JSON answer', content: { 'application/json': { schema: {} } } },
        '400': errorResponse,
        '401': errorResponse,
        '404': errorResponse,
        ...Object.fromEntries((op.refusals ?? []).map((status) => [status, errorResponse])),
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: o.title, version: o.version, description: o.description },
    components: { securitySchemes: { [auth.name]: auth.scheme } },
    security: [{ [auth.name]: [] }],
    paths,
  };
}
