// The MAF admin API as an OpenAPI 3.1 document (issue 19 item 7), generated from the route table and the
// request schemas that validate the requests (admin/schemas.ts): what is documented is what is checked.
// Served at GET /admin/openapi.json behind the same bearer token as the API.
import { ADMIN_OPERATIONS } from './schemas.js';

const error = {
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

/** express-style :param -> OpenAPI {param}. */
export const openApiPath = (path: string): string => path.replace(/:([A-Za-z]+)/g, '{$1}');

export function mafAdminOpenApi(o: { version: string; mafFqdn: string }): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of ADMIN_OPERATIONS) {
    const path = openApiPath(op.path);
    paths[path] = paths[path] ?? {};
    const item = paths[path];
    item[op.method.toLowerCase()] = {
      operationId: `${op.method.toLowerCase()}${openApiPath(op.path).replace(/[^A-Za-z]+(.)?/g, (_, c) => (c ? c.toUpperCase() : ''))}`,
      summary: op.summary,
      parameters: Object.entries(op.params ?? {}).map(([name, p]) => ({
        name,
        in: 'path',
        required: true,
        description: p.description,
        schema: { type: 'string', ...(p.pattern ? { pattern: p.pattern } : {}) },
      })),
      ...(op.body ? { requestBody: { required: true, content: { 'application/json': { schema: op.body } } } } : {}),
      responses: {
        '200': { description: 'Done; the JSON answer', content: { 'application/json': { schema: {} } } },
        '400': error,
        '401': error,
        '404': error,
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: `MAF admin API (${o.mafFqdn})`,
      version: o.version,
      description:
        'Administrating-stakeholder API of the reference MAF (TS-0003 8.8.3.1, 8.2.2.3): client credentials, ' +
        'registrations, hosted DerivedKey trust anchors. Keys go in as hex and never come out.',
    },
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    security: [{ bearer: [] }],
    paths,
  };
}
