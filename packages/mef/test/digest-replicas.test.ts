// Two MEF instances (own SE each, same KEK) over one PostgreSQL schema, as behind a load balancer: an
// HTTP Digest answer to a challenge issued by one is accepted by the other, and a nonce count accepted by
// one is refused by both (RFC 7616 3.3), also when the same answer reaches both at once. Before, the
// nonce key and the counts were per process: the other instance refused every answer (fail closed), and
// a per-process count table would let each instance accept the same answer once.
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { openPostgresStore, type Store } from '@m2msec/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDigestHeader } from '../src/index.js';
import { MEF_FQDN, makeServerCertificate, startTestMef, type TestMef, tmp } from './helpers.js';

const PG_URL = process.env.M2MSEC_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const schema = `mef_digest_${process.pid}_${randomBytes(3).toString('hex')}`;
const kek = randomBytes(32);
const dir = tmp('m2msec-mef-digest-replicas-');
const password = 'correct horse battery';
const path = '/mef/enrolment';
const body = JSON.stringify({
  certificateEnrolmentIndication: false,
  mafEnrolmentIndication: false,
  remoteManagementIndication: false,
});
const stores: Store[] = [];
const mefs: TestMef[] = [];
const ports: number[] = [];

async function instance(): Promise<void> {
  const store = await openPostgresStore({ connectionString: PG_URL, schema, maxConnections: 4 });
  stores.push(store);
  const t = await startTestMef({
    store,
    kek,
    user: {
      host: '127.0.0.1',
      port: 0,
      cert: readFileSync(join(dir, 'mef.pem')),
      key: readFileSync(join(dir, 'mef.key')),
      groups: ['phones'],
      attemptsPerMinute: 1000,
    },
  });
  mefs.push(t);
  ports.push(Number(new URL(t.mef.urls.user!).port));
}

beforeAll(async () => {
  makeServerCertificate(dir);
  await instance();
  await instance();
  const put = await mefs[0]!.admin('PUT', '/admin/enrolees/user/alice', {
    password,
    enroleeId: 'Calice-phone',
    targets: [{ targetId: '/id-in', suid: 22 }],
    enrolmentExpirySeconds: 3600,
    group: 'phones',
  });
  expect(put.status).toBe(200);
}, 120_000);
afterAll(async () => {
  for (const t of mefs) await t.close();
  for (const s of stores) await s.close();
  spawnSync('psql', [PG_URL, '-q', '-c', `DROP SCHEMA IF EXISTS "${schema}" CASCADE`], { timeout: 30_000 });
});

function post(port: number, authorization?: string): Promise<{ status: number; challenge?: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        servername: MEF_FQDN,
        ca: readFileSync(join(dir, 'root.pem')),
        method: 'POST',
        path,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          ...(authorization ? { authorization } : {}),
        },
        timeout: 60_000,
      },
      (res) => {
        res.resume();
        res.on('end', () => {
          const h = res.headers['www-authenticate'];
          const challenge = (Array.isArray(h) ? h : [h ?? '']).find((c) => /^Digest /.test(c));
          resolve({ status: res.statusCode ?? 0, ...(challenge ? { challenge } : {}) });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(body);
  });
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** The client's answer (RFC 7616 3.4.1, SHA-256, qop=auth) for nonce count `nc`. */
function answer(challenge: string, nc: number): string {
  const c = parseDigestHeader(challenge)!;
  const ncHex = nc.toString(16).padStart(8, '0');
  const cnonce = 'c0ffee';
  const ha1 = sha256(`alice:${c.realm}:${password}`);
  const response = sha256(`${ha1}:${c.nonce}:${ncHex}:${cnonce}:auth:${sha256(`POST:${path}`)}`);
  return `Digest username="alice", realm="${c.realm}", nonce="${c.nonce}", uri="${path}", algorithm=SHA-256, qop=auth, nc=${ncHex}, cnonce="${cnonce}", response="${response}"`;
}

describe('HTTP Digest behind a load balancer: two MEF instances over one PostgreSQL', () => {
  it("instance two accepts an answer to instance one's challenge; the same count is then refused by both", async () => {
    const first = await post(ports[0]!);
    expect(first.status).toBe(401);
    const a1 = answer(first.challenge!, 1);
    expect((await post(ports[1]!, a1)).status).toBe(201);
    expect((await post(ports[0]!, a1)).status).toBe(401);
    expect((await post(ports[1]!, a1)).status).toBe(401);
    // The next count is fresh at either instance.
    expect((await post(ports[0]!, answer(first.challenge!, 2))).status).toBe(201);
    expect((await post(ports[1]!, answer(first.challenge!, 2))).status).toBe(401);
  }, 120_000);

  it('the same answer sent to both instances at once is accepted once', async () => {
    for (let round = 0; round < 3; round++) {
      const { challenge } = await post(ports[round % 2]!);
      const a = answer(challenge!, 1);
      const results = await Promise.all([post(ports[0]!, a), post(ports[1]!, a), post(ports[0]!, a)]);
      // Authenticated once; that request may then meet alice's exchange still open (409), which is past the check.
      const authenticated = results.map((r) => r.status).filter((s) => s !== 401);
      expect(authenticated, JSON.stringify(results)).toHaveLength(1);
    }
  }, 120_000);
});
