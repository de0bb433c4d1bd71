// Every console route (the route table) refuses unauthenticated and cross-site requests: no session
// -> 401 (sign-in routes excepted), Sec-Fetch-Site cross-site / same-site -> 403, a POST whose Origin
// (or Referer) is not the console's -> 403, a POST without the session's CSRF token -> 403. The
// refusals happen before any handler runs: the IN-CSE address is unreachable and never contacted.
import { mkdtempSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestCa } from '@m2msec/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccountStore } from '../src/accounts.js';
import { ConsoleAuditLog } from '../src/audit.js';
import type { ConsoleConfig } from '../src/config.js';
import { InCseClient } from '../src/in-cse-client.js';
import { Lockout } from '../src/lockout.js';
import { Sessions } from '../src/sessions.js';
import { consoleApp, ROUTES } from '../src/web.js';

let server: Server;
let base: string;
let audit: ConsoleAuditLog;
const password = 'correct horse battery staple';

beforeAll(async () => {
  const ca = new TestCa('console-routes');
  const client = ca.issue({ san: 'URI:m2m://m2msec.org/id-in/CAdmin' });
  const dataDir = mkdtempSync(join(tmpdir(), 'm2msec-console-routes-'));
  const accounts = new AccountStore(dataDir);
  await accounts.add('ops', password);
  audit = new ConsoleAuditLog(dataDir);
  const config = {
    http: { host: '127.0.0.1', port: 0 },
    publicOrigin: 'http://127.0.0.1:0',
    dataDir,
    lockout: { accountFailures: 5, addressFailures: 20, windowSeconds: 900 },
    session: { idleSeconds: 900, absoluteSeconds: 3600 },
    // Port 9 (discard) on loopback: nothing answers; a refused request must not get this far.
    inCse: {
      url: 'https://id-in.m2msec.org:9',
      connectAddress: '127.0.0.1',
      ca: ca.certPath,
      cert: client.certPath,
      key: client.keyPath,
      originator: 'CAdmin',
      cseBase: '/cse-in',
      cseId: '/id-in',
      spId: 'm2msec.org',
    },
  } satisfies ConsoleConfig;
  const app = consoleApp({
    config,
    accounts,
    sessions: new Sessions(config.session),
    lockout: new Lockout(config.lockout),
    audit,
    cse: new InCseClient(config.inCse),
  });
  await new Promise<void>((resolve) => {
    server = app.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  base = `http://127.0.0.1:${port}`;
  config.publicOrigin = base;
});
afterAll(() => new Promise<void>((r) => server?.close(() => r())));

const cookieOf = (r: Response) => /m2msec_console=([^;]+)/.exec(r.headers.get('set-cookie') ?? '')?.[1];
const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1];

async function signIn(): Promise<{ cookie: string; csrf: string }> {
  const r1 = await fetch(`${base}/login`);
  const pre = cookieOf(r1)!;
  const r2 = await fetch(`${base}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { Cookie: `m2msec_console=${pre}`, Origin: base, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: csrfOf(await r1.text())!, name: 'ops', password }),
  });
  expect(r2.status).toBe(303);
  const cookie = cookieOf(r2)!;
  expect(cookie).not.toBe(pre); // a new session id at sign-in
  const page = await fetch(`${base}/explain`, { headers: { Cookie: `m2msec_console=${cookie}` } });
  return { cookie, csrf: csrfOf(await page.text())! };
}

const form = (o: Record<string, string>) => new URLSearchParams(o);

describe('the route table', () => {
  it('covers the views and actions', () => {
    expect(ROUTES.map((r) => `${r.method} ${r.path}`)).toEqual(
      expect.arrayContaining([
        'GET /nodes',
        'POST /policies/update',
        'POST /credentials/psk/revoke',
        'GET /events/stream',
      ]),
    );
  });

  for (const r of ROUTES.filter((x) => !x.public)) {
    it(`${r.method} ${r.path}: no session -> 401, recorded`, async () => {
      const res = await fetch(base + r.path, {
        method: r.method,
        redirect: 'manual',
        headers: { Origin: base, 'Content-Type': 'application/x-www-form-urlencoded' },
        body: r.method === 'POST' ? form({ _csrf: 'x' }) : undefined,
      });
      expect(res.status).toBe(401);
      expect(audit.query({ outcome: 'refused' }).some((a) => a.action === `${r.method} ${r.path}`)).toBe(true);
    });
    it(`${r.method} ${r.path}: a forged session cookie -> 401`, async () => {
      const res = await fetch(base + r.path, {
        method: r.method,
        redirect: 'manual',
        headers: { Cookie: 'm2msec_console=forged', Origin: base, 'Content-Type': 'application/x-www-form-urlencoded' },
        body: r.method === 'POST' ? form({ _csrf: 'x' }) : undefined,
      });
      expect(res.status).toBe(401);
    });
  }

  for (const r of ROUTES) {
    it(`${r.method} ${r.path}: cross-site (Fetch Metadata) with a valid session -> 403`, async () => {
      const s = await signIn();
      for (const site of ['cross-site', 'same-site']) {
        const res = await fetch(base + r.path, {
          method: r.method,
          redirect: 'manual',
          headers: {
            Cookie: `m2msec_console=${s.cookie}`,
            'Sec-Fetch-Site': site,
            Origin: base,
            'Content-Type': 'application/x-www-form-urlencoded',
          },
          body:
            r.method === 'POST'
              ? form({ _csrf: s.csrf, keyId: 'k', uri: 'u', pv: '{}', name: 'ops', password })
              : undefined,
        });
        expect(res.status, site).toBe(403);
      }
    });
  }

  for (const r of ROUTES.filter((x) => x.method === 'POST')) {
    it(`POST ${r.path}: a foreign or missing Origin, or no / a wrong CSRF token -> 403`, async () => {
      const s = await signIn();
      const body = { _csrf: s.csrf, keyId: 'k', uri: 'u', pv: '{}', name: 'ops', password };
      const headers = { Cookie: `m2msec_console=${s.cookie}`, 'Content-Type': 'application/x-www-form-urlencoded' };
      const post = (h: Record<string, string>, b: Record<string, string>) =>
        fetch(base + r.path, { method: 'POST', redirect: 'manual', headers: { ...headers, ...h }, body: form(b) });
      expect((await post({ Origin: 'http://evil.example' }, body)).status).toBe(403);
      expect((await post({ Origin: 'null' }, body)).status).toBe(403);
      expect((await post({ Referer: 'http://evil.example/x' }, body)).status).toBe(403);
      expect((await post({}, body)).status).toBe(403);
      const { _csrf, ...noToken } = body;
      expect((await post({ Origin: base }, noToken)).status).toBe(403);
      expect((await post({ Origin: base }, { ...noToken, _csrf: `${s.csrf}x` })).status).toBe(403);
      // Another session's token is no token of this one.
      const other = await signIn();
      expect((await post({ Origin: base }, { ...noToken, _csrf: other.csrf })).status).toBe(403);
    });
  }

  it('the static stylesheet and script need no session but refuse cross-site requests', async () => {
    for (const path of ['/static/console.css', '/static/console.js']) {
      expect((await fetch(base + path)).status).toBe(200);
      expect((await fetch(base + path, { headers: { 'Sec-Fetch-Site': 'cross-site' } })).status).toBe(403);
    }
  });

  it('an unknown path is 401 without a session (nothing to probe)', async () => {
    expect((await fetch(`${base}/admin`)).status).toBe(401);
  });

  it('pages carry a strict Content-Security-Policy and no-store', async () => {
    const r = await fetch(`${base}/login`);
    expect(r.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(r.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(r.headers.get('cache-control')).toBe('no-store');
    expect(r.headers.get('set-cookie')).toMatch(/HttpOnly; SameSite=Strict/);
  });

  it('sign-out ends the session', async () => {
    const s = await signIn();
    const out = await fetch(`${base}/logout`, {
      method: 'POST',
      redirect: 'manual',
      headers: {
        Cookie: `m2msec_console=${s.cookie}`,
        Origin: base,
        'Content-Type': 'application/x-www-form-urlencoded',
      },
      body: form({ _csrf: s.csrf }),
    });
    expect(out.status).toBe(303);
    expect((await fetch(`${base}/nodes`, { headers: { Cookie: `m2msec_console=${s.cookie}` } })).status).toBe(401);
  });
});
