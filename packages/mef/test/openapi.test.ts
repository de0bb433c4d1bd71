// The MEF admin API's OpenAPI document (issue 19 item 7): served by the MEF, valid OpenAPI 3.1 by an
// outside validator (@apidevtools/swagger-parser), listing exactly the routes the admin router serves, with
// the very schemas that check the request bodies. An attribute the document does not name is refused
// (it used to be accepted and ignored) and nothing is stored.
import SwaggerParser from '@apidevtools/swagger-parser';
import { openApiPath } from '@m2msec/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminRoutes, MEF_ADMIN_OPERATIONS } from '../src/index.js';
import { hex, startTestMef, type TestMef } from './helpers.js';

let t: TestMef;
let doc: any;

beforeAll(async () => {
  t = await startTestMef();
  const r = await t.admin('GET', '/admin/openapi.json');
  expect(r.status).toBe(200);
  doc = r.body;
});

afterAll(async () => {
  await t?.close();
});

describe('MEF admin OpenAPI document', () => {
  it('is valid OpenAPI 3.1 (swagger-parser)', async () => {
    expect(doc.openapi).toBe('3.1.0');
    await expect(SwaggerParser.validate(structuredClone(doc))).resolves.toBeTruthy();
  });

  it('documents exactly the routes the admin router serves', () => {
    const served = adminRoutes({} as never, { token: 'x', digestRealm: 'r' })
      .filter((r) => r.method !== '*')
      .map((r) => `${r.method} ${openApiPath(r.path)}`)
      .sort();
    const documented = Object.entries(doc.paths as Record<string, Record<string, unknown>>)
      .flatMap(([path, item]) => Object.keys(item).map((m) => `${m.toUpperCase()} ${path}`))
      .sort();
    expect(documented).toEqual(served);
    expect(served.length).toBe(MEF_ADMIN_OPERATIONS.length);
    for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, any>>)) {
      const templated = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      for (const op of Object.values(item)) {
        expect(
          op.parameters
            .filter((p: { in: string }) => p.in === 'path')
            .map((p: { name: string }) => p.name)
            .sort(),
          path,
        ).toEqual(templated);
      }
    }
  });

  it('carries the schemas that check the requests, unchanged', () => {
    for (const op of MEF_ADMIN_OPERATIONS.filter((o) => o.body)) {
      const served = doc.paths[openApiPath(op.path)][op.method.toLowerCase()].requestBody.content['application/json'];
      expect(served.schema, `${op.method} ${op.path}`).toEqual(JSON.parse(JSON.stringify(op.body)));
    }
  });

  it('an attribute the document does not name is refused, and nothing is stored', async () => {
    const r = await t.admin('PUT', '/admin/enrolees/psk/kpm-typo', {
      kpm: hex(),
      enroleeId: 'Ctypo',
      targets: [{ targetId: '/id-in', suid: 22 }],
      enrolmentExpirySeconds: 3600,
      enrolmentExpirySecond: 60,
    });
    expect(r).toEqual({
      status: 400,
      body: { code: 'BAD_REQUEST', error: "the enrolee request has an unknown attribute 'enrolmentExpirySecond'" },
    });
    const all = await t.admin('GET', '/admin/enrolees');
    expect(all.body.map((e: { principal: string }) => e.principal)).not.toContain('psk:kpm-typo');
  });

  it('pages admin listings with limit and offset; without them lists everything', async () => {
    for (const id of ['page-a', 'page-b', 'page-c']) {
      const r = await t.admin('PUT', `/admin/enrolees/psk/${id}`, {
        kpm: hex(),
        enroleeId: `C${id}`,
        targets: [{ targetId: '/id-in', suid: 22 }],
        enrolmentExpirySeconds: 3600,
      });
      expect(r.status).toBe(200);
    }
    const principals = async (q: string) =>
      (await t.admin('GET', `/admin/enrolees${q}`)).body.map((e: { principal: string }) => e.principal);
    const all: string[] = await principals('');
    expect(all.length).toBeGreaterThanOrEqual(3);
    expect(await principals('?limit=2')).toEqual(all.slice(0, 2));
    expect(await principals('?limit=2&offset=1')).toEqual(all.slice(1, 3));
    expect(await principals(`?offset=${all.length}`)).toEqual([]);
    expect((await t.admin('GET', '/admin/enrolees?limit=0')).status).toBe(400);
    expect((await t.admin('GET', '/admin/enrolees?limit=x')).status).toBe(400);
  });

  it('is not served without the bearer token', async () => {
    expect((await fetch(`${t.mef.urls.admin}/admin/openapi.json`)).status).toBe(401);
  });
});
