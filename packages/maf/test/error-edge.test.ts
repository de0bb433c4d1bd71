// Issue 12 item 7 on the MAF: malformed, control-byte and oversized bodies on the Mmaf listener (MAF
// Handshake) and on the admin listener are answered as JSON, never express's HTML stack page, and nothing of
// the body reaches stderr or the MAF log.
import { request } from 'node:https';
import { pskClientOptions } from '@m2msec/saef';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { MAF_FQDN, startTestMaf, type TestMaf, TOKEN } from './helpers.js';

const MARKER = 'EVILMARKER';
const controlBody = `{"a\u001b[31m${MARKER}\n{"level":"fatal","msg":"forged"}\u0000":`;
const oversized = `{"x":"${'A'.repeat(200 * 1024)}"}`;
const logLines: string[] = [];
const stderr: string[] = [];
let t: TestMaf;
let a: Awaited<ReturnType<TestMaf['client']>>;
let savedEnv: string | undefined;

beforeAll(async () => {
  // express prints error stacks with the raw body unless NODE_ENV is 'test' (vitest's): run as deployed.
  savedEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'development';
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr.push(String(chunk));
    return true;
  });
  vi.spyOn(console, 'error').mockImplementation((...x: unknown[]) => {
    stderr.push(x.map(String).join(' '));
  });
  const log = (level: string) => (m: string, f?: Record<string, unknown>) =>
    logLines.push(JSON.stringify({ level, m, ...f }));
  t = await startTestMaf({ log: { info: log('info'), warn: log('warn') } });
  a = await t.client('//m2msec.org/id-in/Cedge');
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

function overPsk(path: string, body: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, t.maf.urls.psk), {
      ...pskClientOptions({ identity: a.kmId, key: a.km, servername: MAF_FQDN }),
      method: 'POST',
      agent: false,
      headers: { 'content-type': 'application/json' },
    });
    req.on('response', (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function overAdmin(path: string, body: string): Promise<Answer> {
  const r = await fetch(t.maf.urls.admin + path, {
    method: 'PUT',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body,
  });
  return { status: r.status, type: r.headers.get('content-type') ?? '', text: await r.text() };
}

function expectSafe(x: Answer): void {
  expect(x.status).toBeGreaterThanOrEqual(400);
  expect(x.status).toBeLessThan(500);
  expect(x.type).toMatch(/^application\/json/);
  expect(x.text).not.toMatch(/<html|<pre|<!DOCTYPE|\bat \S+ \(|node_modules/i);
  expect(x.text).not.toContain(MARKER);
  // Issue 19 item 6: a stable code beside the message a person can act on.
  const body = JSON.parse(x.text);
  expect(body.code).toMatch(/^[A-Z_]+$/);
  expect(typeof (body['m2m:dbg'] ?? body.error)).toBe('string');
}

describe('MAF error answers', () => {
  it.each(['/maf/mafClientReg', '/maf/keyReg', '/no-such-path'])('Mmaf %s: malformed and oversized JSON', async (p) => {
    expectSafe(await overPsk(p, controlBody));
    expectSafe(await overPsk(p, oversized));
  });

  it.each(['/admin/clients/psk/k1', '/admin/trust-anchors/ta1', '/admin/no-such'])(
    'admin %s: malformed and oversized JSON',
    async (p) => {
      expectSafe(await overAdmin(p, controlBody));
      expectSafe(await overAdmin(p, oversized));
    },
  );

  it('neither stderr nor the MAF log carries the bodies or a control character', () => {
    const all = [...stderr, ...logLines].join('\n');
    expect(all).not.toContain(MARKER);
    expect(all).not.toContain('forged');
    expect(all).not.toMatch(/SyntaxError|at JSON\.parse|node_modules/);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for control characters
    expect(all).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f]/);
  });
});
