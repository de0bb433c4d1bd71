// Property tests: arbitrary Authorization headers on the Ub and arbitrary bodies on the Zn never crash the
// BSF (no 5xx, no throw); a 400 never changes the store; the Zn never writes.
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BsfFixture, startBsf } from './helpers/fixture.js';

let f: BsfFixture;
let nonce: string;
const IMPI = 'fuzz@ims.example.com';

beforeAll(async () => {
  f = await startBsf();
  await f.bsf.subscribers.provision({
    impi: IMPI,
    k: randomBytes(16),
    op: randomBytes(16),
    enrolmentTargets: ['maf.example.com'],
  });
  const r = await f.bsf.handleUb({
    method: 'GET',
    uri: '/bsf',
    authorization: `Digest username="${IMPI}", nonce="", response=""`,
  });
  nonce = /nonce="([^"]+)"/.exec(r.headers['www-authenticate']!)![1]!;
});
afterAll(async () => {
  await f.close();
});

const paramValue = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.constantFrom('', 'AKAv1-MD5', 'auth', 'auth-int', '00000001', IMPI, 'bsf.mef.example.com', '/bsf'),
  fc.constant(null).map(() => nonce),
  fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b).toString('base64')),
  fc.stringMatching(/^[0-9a-f]{32}$/),
);
const param = fc.tuple(
  fc.constantFrom(
    'username',
    'realm',
    'nonce',
    'uri',
    'qop',
    'nc',
    'cnonce',
    'response',
    'algorithm',
    'auts',
    'opaque',
    'x',
  ),
  paramValue,
  fc.boolean(),
);
const header = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc
    .array(param, { maxLength: 12 })
    .map(
      (ps) =>
        `Digest ${ps.map(([k, v, quoted]) => (quoted ? `${k}="${v.replace(/["\\]/g, '')}"` : `${k}=${v}`)).join(', ')}`,
    ),
);

describe('fuzz', () => {
  it('Ub: any Authorization header gets 400/401/403; a 400 leaves the store unchanged', async () => {
    await fc.assert(
      fc.asyncProperty(header, fc.constantFrom('GET', 'POST'), async (authorization, method) => {
        const before = await f.snapshot();
        const r = await f.bsf.handleUb({ method, uri: '/bsf', authorization });
        expect([400, 401, 403, 405]).toContain(r.status);
        if (r.status === 400 || r.status === 405) expect(await f.snapshot()).toBe(before);
      }),
      { numRuns: 300 },
    );
  });

  it('Zn: any body gets 400/403/404/415 and nothing is written', async () => {
    const body = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.jsonValue().map((v) => JSON.stringify(v)),
      fc
        .record(
          {
            btid: fc.oneof(fc.string(), fc.constant(`${randomBytes(16).toString('base64')}@bsf.mef.example.com`)),
            nafFqdn: fc.oneof(fc.string(), fc.constantFrom('maf.example.com', 'other.example.com')),
            uaSecurityProtocolId: fc.oneof(fc.string(), fc.stringMatching(/^[0-9a-f]{10}$/)),
          },
          { requiredKeys: [] },
        )
        .map((o) => JSON.stringify(o)),
    );
    const before = await f.snapshot();
    await fc.assert(
      fc.asyncProperty(body, fc.constantFrom('application/json', 'text/plain'), async (text, contentType) => {
        const r = await f.bsf.handleZn({
          method: 'POST',
          authenticatedNafFqdns: ['maf.example.com'],
          contentType,
          body: Buffer.from(text),
        });
        expect([400, 403, 404, 415]).toContain(r.status);
      }),
      { numRuns: 300 },
    );
    expect(await f.snapshot()).toBe(before);
  });
});
