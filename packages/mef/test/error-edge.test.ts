// Issue 12 item 7 on the MEF: malformed, control-byte and oversized bodies on the admin listener and on the
// MEF Handshake listener (Enrolment Exchange, Mmef, DSKPP, unknown paths) are answered in the oneM2M JSON
// shape, JSON with a stable code (DSKPP's HTTP-level refusals too, issue 19 item 6), never express's HTML stack page, and nothing of the body reaches
// stderr or the MEF log.
import { randomBytes } from 'node:crypto';
import { request } from 'node:https';
import { DskppServer, MemoryClientRegistry, MemoryProvisionedKeyStore } from '@m2msec/dskpp';
import { createCertificateAuthority } from '@m2msec/est';
import { mefHandshakeOptions } from '@m2msec/rspf';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ADMIN_TOKEN, hex, MEF_FQDN, openSe, startTestMef, type TestMef } from './helpers.js';

const MARKER = 'EVILMARKER';
const controlBody = `{"a\u001b[31m${MARKER}\n{"level":"fatal","msg":"forged"}\u0000":`;
const oversized = `{"x":"${'A'.repeat(200 * 1024)}"}`;
const kpm = hex();
const logLines: string[] = [];
const stderr: string[] = [];
let t: TestMef;
let savedEnv: string | undefined;

beforeAll(async () => {
  // express's final handler prints error stacks (and the body-parser error with the raw body) unless
  // NODE_ENV is 'test', which vitest sets; the apps are created with the environment of a deployment.
  savedEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'development';
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr.push(String(chunk));
    return true;
  });
  vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => {
    stderr.push(a.map(String).join(' '));
  });
  const dskpp = new DskppServer({
    mode: 'stateless',
    stateKeys: [{ id: 1, key: randomBytes(32) }],
    serverUrl: 'https://mef.m2msec.org/dskpp',
    serverId: MEF_FQDN,
    clients: new MemoryClientRegistry([]),
    keys: new MemoryProvisionedKeyStore(),
  });
  const log = (level: string) => (m: string, f?: Record<string, unknown>) =>
    logLines.push(JSON.stringify({ level, m, ...f }));
  const ca = await createCertificateAuthority({ se: await openSe(), subject: 'CN=m2msec test EST CA' });
  t = await startTestMef({ dskpp, ca, log: { info: log('info'), warn: log('warn') } });
  await t.admin('PUT', '/admin/enrolees/psk/kpm-edge', {
    kpm,
    enroleeId: 'Cedge',
    targets: [],
    enrolmentExpirySeconds: 3600,
  });
});

afterAll(async () => {
  await t?.close();
  vi.restoreAllMocks();
  process.env.NODE_ENV = savedEnv;
});

interface Answer {
  status: number;
  type: string;
  text: string;
}

async function overPsk(path: string, body: string, contentType = 'application/json'): Promise<Answer> {
  const tls = await mefHandshakeOptions({ kind: 'psk', kpmId: 'kpm-edge', kpm: Buffer.from(kpm, 'hex') }, MEF_FQDN);
  return new Promise((resolve, reject) => {
    const req = request(`${t.mef.urls.psk}${path}`, {
      ...tls,
      agent: false,
      method: 'POST',
      headers: { 'content-type': contentType },
    });
    req.on('error', reject);
    req.on('response', (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), text }));
    });
    req.end(body);
  });
}

async function overAdmin(path: string, body: string): Promise<Answer> {
  const r = await fetch(t.mef.urls.admin + path, {
    method: 'PUT',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body,
  });
  return { status: r.status, type: r.headers.get('content-type') ?? '', text: await r.text() };
}

function expectSafe(a: Answer, shape: 'json' | 'text' = 'json'): void {
  expect(a.status).toBeGreaterThanOrEqual(400);
  expect(a.status).toBeLessThan(500);
  expect(a.type).toMatch(shape === 'json' ? /^application\/json/ : /^text\/plain/);
  expect(a.text).not.toMatch(/<html|<pre|<!DOCTYPE|\bat \S+ \(|node_modules/i);
  expect(a.text).not.toContain(MARKER);
  // Issue 19 item 6: a JSON error names a stable code beside the message a person can act on.
  if (shape === 'json') expect(JSON.parse(a.text)).toMatchObject({ code: expect.stringMatching(/^[A-Z_]+$/) });
}

describe('MEF error answers', () => {
  const pskPaths = ['/mef/enrolment', '/mef/mefClientReg', '/mef/enrolment/x/result', '/no-such-path'];
  it.each(pskPaths)('MEF Handshake listener %s: malformed and oversized JSON', async (path) => {
    expectSafe(await overPsk(path, controlBody));
    expectSafe(await overPsk(path, oversized));
  });

  it('DSKPP: oversized, undecodable and mistyped bodies answer JSON with a code', async () => {
    expectSafe(await overPsk('/dskpp', `<a>${'A'.repeat(200 * 1024)}</a>`, 'application/dskpp+xml'));
    expectSafe(await overPsk('/dskpp', controlBody, 'application/dskpp+xml; charset=x-no-such-charset'));
    const mistyped = await overPsk('/dskpp', '<a/>', 'text/xml');
    expect([mistyped.status, JSON.parse(mistyped.text).code]).toEqual([415, 'UNSUPPORTED_MEDIA_TYPE']);
  });

  it('EST (RFC 7030): garbage and oversized enrolment bodies answer JSON with a code', async () => {
    for (const op of ['simpleenroll', 'simplereenroll', 'serverkeygen']) {
      expectSafe(await overPsk(`/.well-known/est/${op}`, controlBody, 'application/pkcs10'));
      expectSafe(await overPsk(`/.well-known/est/${op}`, oversized, 'application/pkcs10'));
    }
  });

  it.each(['/admin/enrolees/psk/k1', '/admin/enrolees/certificate/x', '/admin/no-such'])(
    'admin listener %s: malformed and oversized JSON',
    async (path) => {
      expectSafe(await overAdmin(path, controlBody));
      expectSafe(await overAdmin(path, oversized));
    },
  );

  it('neither stderr nor the MEF log carries the bodies or a control character', () => {
    const all = [...stderr, ...logLines].join('\n');
    expect(all).not.toContain(MARKER);
    expect(all).not.toContain('forged');
    expect(all).not.toMatch(/SyntaxError|at JSON\.parse|node_modules/);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for control characters
    expect(all).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f]/);
  });
});
