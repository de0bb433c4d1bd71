// The IN-CSE administration surface's OpenAPI document (issue 19 item 7), served by the IN-CSE process:
// valid OpenAPI 3.1 by an outside validator (@apidevtools/swagger-parser), listing exactly the routes the
// admin surface serves (explain included), with the very schemas that check the request bodies: a body the
// document does not admit is refused with the schema's message before the function behind the route runs.
import SwaggerParser from '@apidevtools/swagger-parser';
import { adminRoutes, IN_CSE_ADMIN_OPERATIONS, OPENAPI_PATH } from '@m2msec/node';
import { openApiPath } from '@m2msec/protocol';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { credentialsCli, prepareSecureInCse, type SecureInCse } from './saef-setup.js';

let s: SecureInCse;
let cse: SecureInCse['cse'];
let doc: any;

beforeAll(async () => {
  // A CSE with a DerivedKey trust anchor, so the revocation route runs its body check.
  const prepared = await prepareSecureInCse({ administrators: [] });
  credentialsCli(
    prepared.configPath,
    prepared.dataDir,
    ['add-dk-ta', '--ta-id', 'ta1', '--key-file', '-'],
    'ab'.repeat(32),
  );
  s = await prepared.start();
  cse = s.cse;
  const r = await fetch(`${cse.url}${OPENAPI_PATH}`);
  expect(r.status).toBe(200);
  expect(r.headers.get('content-type')).toMatch(/application\/json/);
  doc = await r.json();
}, 150_000);

afterAll(async () => {
  await cse?.stop();
});

const post = (path: string, body: unknown) =>
  fetch(`${cse.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  }).then(async (r) => ({ status: r.status, body: await r.json() }));

describe('IN-CSE administration OpenAPI document', () => {
  it('is valid OpenAPI 3.1 (swagger-parser)', async () => {
    expect(doc.openapi).toBe('3.1.0');
    await expect(SwaggerParser.validate(structuredClone(doc))).resolves.toBeTruthy();
  });

  it('documents exactly the routes the admin surface serves, explain included', () => {
    const served = adminRoutes({} as never, {} as never, { spId: 'x', cseId: '/x' }, pino({ enabled: false }))
      .map((r) => `${r.method} ${openApiPath(r.path)}`)
      .sort();
    const documented = Object.entries(doc.paths as Record<string, Record<string, unknown>>)
      .flatMap(([path, item]) => Object.keys(item).map((m) => `${m.toUpperCase()} ${path}`))
      .sort();
    expect(documented).toEqual(served);
    expect(served).toContain('GET /.well-known/m2msec/explain');
    expect(served).toHaveLength(IN_CSE_ADMIN_OPERATIONS.length);
    const explain = doc.paths['/.well-known/m2msec/explain'].get;
    expect(explain.parameters.filter((p: any) => p.in === 'query').map((p: any) => p.name)).toEqual([
      'from',
      'op',
      'to',
      'ty',
      'authenticated',
      'ip',
    ]);
    expect(explain.responses['403']).toBeDefined();
    // The MAC-authenticated and announcement routes say they need no association.
    expect(doc.paths['/.well-known/m2msec/dk-revocation'].post.security).toEqual([]);
    expect(doc.components.securitySchemes.association.type).toBe('mutualTLS');
  });

  it('carries the schemas that check the bodies, unchanged', () => {
    const withBody = IN_CSE_ADMIN_OPERATIONS.filter((o) => o.body);
    expect(withBody.length).toBe(3);
    for (const op of withBody) {
      const served = doc.paths[openApiPath(op.path)][op.method.toLowerCase()].requestBody.content['application/json'];
      expect(served.schema, `${op.method} ${op.path}`).toEqual(JSON.parse(JSON.stringify(op.body)));
    }
  });

  it('a body the document does not admit is refused with the schema’s message', async () => {
    const revocation = { v: 1, taId: 'ta1', sequenceNumbers: ['1'], issuedAt: 1, mac: 'A'.repeat(43) };
    expect(await post('/.well-known/m2msec/dk-revocation', { ...revocation, extra: 1 })).toEqual({
      status: 400,
      body: { error: "the DerivedKey revocation request has an unknown attribute 'extra'" },
    });
    expect(await post('/.well-known/m2msec/dk-revocation', { ...revocation, mac: 'short' })).toEqual({
      status: 400,
      body: { error: 'DerivedKey revocation refused: mac must be 43 base64url characters' },
    });
    expect(await post('/.well-known/m2msec/dk-revocation', { ...revocation, sequenceNumbers: ['01'] })).toEqual({
      status: 400,
      body: { error: 'DerivedKey revocation refused: sequenceNumbers must be a list of 1 to 1024 decimal strings' },
    });
    // Past the schema, the function behind the route decides (the MAC does not verify).
    const forged = await post('/.well-known/m2msec/dk-revocation', revocation);
    expect(forged.status).toBe(400);
    expect((forged.body as { error: string }).error).toMatch(/MAC does not verify/);
  });
});
