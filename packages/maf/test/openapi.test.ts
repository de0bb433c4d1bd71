// The MAF admin API's OpenAPI document (issue 19 item 7): served by the MAF, valid OpenAPI 3.1 by an
// outside validator (@apidevtools/swagger-parser), listing exactly the routes the MAF serves, with the
// very schemas that refuse bad requests. A field the document requires is refused when missing.
import SwaggerParser from '@apidevtools/swagger-parser';
import { openApiPath } from '@m2msec/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_OPERATIONS, adminRoutes } from '../src/index.js';
import { MAF_FQDN, startTestMaf, type TestMaf } from './helpers.js';

let t: TestMaf;
let doc: any;

beforeAll(async () => {
  t = await startTestMaf();
  const r = await t.admin('GET', '/admin/openapi.json');
  expect(r.status).toBe(200);
  doc = r.body;
});

afterAll(async () => {
  await t?.close();
});

const operationsOf = (d: { paths: Record<string, Record<string, unknown>> }) =>
  Object.entries(d.paths)
    .flatMap(([path, item]) => Object.keys(item).map((m) => `${m.toUpperCase()} ${path}`))
    .sort();

describe('MAF admin OpenAPI document', () => {
  it('is valid OpenAPI 3.1 (swagger-parser)', async () => {
    expect(doc.openapi).toBe('3.1.0');
    await expect(SwaggerParser.validate(structuredClone(doc))).resolves.toBeTruthy();
  });

  it('documents exactly the routes the MAF serves', () => {
    const served = adminRoutes({
      token: 'x',
      mafFqdn: MAF_FQDN,
      store: {} as never,
      anchors: {} as never,
      notify: {} as never,
      now: Date.now,
    })
      .filter((r) => r.method !== '*')
      .map((r) => `${r.method} ${openApiPath(r.path)}`)
      .sort();
    expect(operationsOf(doc)).toEqual(served);
    expect(served.length).toBe(ADMIN_OPERATIONS.length);
    // OpenAPI 3.1 validators do not tie path templates to parameters: every {name} is declared, and only those.
    for (const [path, item] of Object.entries(
      doc.paths as Record<string, Record<string, { parameters: Array<{ name: string }> }>>,
    )) {
      const templated = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      for (const op of Object.values(item)) expect(op.parameters.map((p) => p.name).sort(), path).toEqual(templated);
    }
  });

  it('carries the schemas that validate the requests, unchanged', () => {
    for (const op of ADMIN_OPERATIONS.filter((o) => o.body)) {
      const served = doc.paths[openApiPath(op.path)][op.method.toLowerCase()].requestBody.content['application/json'];
      expect(served.schema, `${op.method} ${op.path}`).toEqual(JSON.parse(JSON.stringify(op.body)));
    }
  });

  it('a body the document refuses is refused by the MAF, naming the field', async () => {
    const r = await t.admin('PUT', `/admin/clients/psk/${encodeURIComponent(`x@${MAF_FQDN}`)}`, {
      clientId: '//m2msec.org/id-in/Cae1',
    });
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ code: 'BAD_REQUEST', error: 'km must be 16 to 64 bytes of hex' });
    const ta = await t.admin('PUT', '/admin/trust-anchors/ta9', { key: 'ab'.repeat(16) });
    expect(ta.status).toBe(400);
    expect(ta.body.error).toMatch(/clients must map MAF Client IDs/);
  });

  it('is not served without the bearer token', async () => {
    const r = await fetch(`${t.maf.urls.admin}/admin/openapi.json`);
    expect(r.status).toBe(401);
  });
});
