// The username / password option against the m2msec-mef process (issue 16 item 3): server-only TLS,
// then HTTP Basic (argon2id hash) or Digest (RFC 7616 SHA-256) for the symmetric enrolment exchange and
// for EST simpleenroll (RFC 7030 3.2.3), with curl as the independent client. The username is bound
// into the certificate's subject; lock-out after N failures; a replayed Digest answer and a user of a
// group the MEF has not enabled are refused.
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

vi.setConfig({ testTimeout: 120_000 });

import { MEF_FQDN, type MefProcess, run, startMefProcess, tmp } from './helpers.js';
import { type MefPki, makePki, ok } from './pki.js';

const dir = tmp('m2msec-mef-user-');
const SAN = 'https://m2msec.org/Calice-phone';
const password = 'correct horse battery';
let pki: MefPki;
let mef: MefProcess;
let port: number;

const common = {
  targets: [{ targetId: '/id-in', suid: 22 }],
  enrolmentExpirySeconds: 3600,
  certificateEnrolment: true,
  subjectAltNames: [SAN],
};

function csrFile(name: string, san: string): string {
  const der = ok('openssl', [
    'req',
    '-new',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    join(dir, `${name}.key`),
    '-subj',
    `/CN=${name}-as-asked`,
    '-addext',
    `subjectAltName=${san}`,
    '-outform',
    'DER',
  ]);
  writeFileSync(join(dir, `${name}.b64`), der.toString('base64'));
  return join(dir, `${name}.b64`);
}

/** curl against the user listener; returns [status, body]. */
async function curl(auth: '--basic' | '--digest', user: string, path: string, extra: string[]) {
  const r = await run('curl', [
    '-sS',
    auth,
    '-u',
    user,
    '--cacert',
    pki.tlsRoot,
    '--resolve',
    `${MEF_FQDN}:${port}:127.0.0.1`,
    '-D',
    join(dir, 'headers'),
    '-w',
    '\n%{http_code}',
    ...extra,
    `https://${MEF_FQDN}:${port}${path}`,
  ]);
  const i = r.stdout.lastIndexOf('\n');
  return { status: Number(r.stdout.slice(i + 1)), body: r.stdout.slice(0, i), stderr: r.stderr };
}

const exchangeStart = (auth: '--basic' | '--digest', user: string) =>
  curl(auth, user, '/mef/enrolment', [
    '-H',
    'content-type: application/json',
    '--data',
    JSON.stringify({
      certificateEnrolmentIndication: false,
      mafEnrolmentIndication: false,
      remoteManagementIndication: false,
    }),
  ]);

const simpleenroll = (auth: '--basic' | '--digest', user: string, csr: string) =>
  curl(auth, user, '/.well-known/est/simpleenroll', [
    '-H',
    'content-type: application/pkcs10',
    '--data-binary',
    `@${csr}`,
  ]);

function issuedCertificateText(b64: string): string {
  const pem = `-----BEGIN PKCS7-----\n${b64.replace(/\s+/g, '').replace(/(.{64})/g, '$1\n')}\n-----END PKCS7-----\n`;
  const certs = ok('openssl', ['pkcs7', '-print_certs'], pem).toString();
  return ok('openssl', ['x509', '-noout', '-subject', '-ext', 'subjectAltName'], certs).toString();
}

/** A raw HTTPS request (Node's client, the MEF's root as CA), for hand-made Digest answers. */
function raw(path: string, headers: Record<string, string>, body: string) {
  return new Promise<{ status: number; headers: Record<string, string | string[] | undefined> }>((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        servername: MEF_FQDN,
        ca: readFileSync(pki.tlsRoot),
        method: 'POST',
        path,
        headers: { 'content-type': 'application/json', ...headers },
        agent: false,
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

beforeAll(async () => {
  pki = makePki(dir, MEF_FQDN);
  const config = join(dir, 'mef.json');
  writeFileSync(
    config,
    JSON.stringify({
      user: {
        host: '127.0.0.1',
        port: 0,
        cert: pki.serverCert,
        key: pki.serverKey,
        groups: ['phones'],
        maxFailures: 3,
        lockoutSeconds: 600,
      },
      est: { enabled: true, caSubject: 'CN=m2msec test MEF CA', channelBinding: 'if-present' },
    }),
  );
  mef = await startMefProcess({ M2MSEC_MEF_CONFIG: config });
  port = Number(new URL(mef.urls.user!).port);
  for (const [name, group] of [
    ['alice', 'phones'],
    ['bob', 'phones'],
    ['dave', 'phones'],
    ['carol', 'tablets'],
  ]) {
    const r = await mef.admin('PUT', `/admin/enrolees/user/${name}`, {
      password,
      enroleeId: `C${name}-phone`,
      group,
      ...common,
    });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
  }
});
afterAll(() => mef?.stop());

describe('username / password option on the MEF process', () => {
  it('curl --basic and curl --digest start the symmetric enrolment exchange', async () => {
    for (const auth of ['--basic', '--digest'] as const) {
      const r = await exchangeStart(auth, `alice:${password}`);
      expect(r.status, r.body + r.stderr).toBe(201);
      expect(JSON.parse(r.body).instruction.enroleeID).toBe('Calice-phone');
    }
  });

  it('EST simpleenroll with curl --basic and --digest: the username is the certificate subject', async () => {
    for (const auth of ['--basic', '--digest'] as const) {
      const r = await simpleenroll(auth, `alice:${password}`, csrFile(`alice${auth}`, `URI:${SAN}`));
      expect(r.status, r.body + r.stderr).toBe(200);
      const text = issuedCertificateText(r.body);
      expect(text).toMatch(/subject=CN\s*=\s*alice\s*$/m);
      expect(text).not.toContain('as-asked');
      expect(text).toContain(`URI:${SAN}`);
    }
    // A name the administrator did not grant this user: refused.
    const other = await simpleenroll(
      '--basic',
      `alice:${password}`,
      csrFile('alice-other', 'URI:https://m2msec.org/Cx'),
    );
    expect(other.status).toBe(403);
    // Wrong password: 401 and nothing issued.
    const wrong = await simpleenroll('--basic', 'alice:wrong-password', csrFile('alice-wrong', `URI:${SAN}`));
    expect(wrong.status).toBe(401);
    const h = readFileSync(join(dir, 'headers'), 'utf8');
    expect(h).toMatch(/www-authenticate: Digest realm=.*algorithm=SHA-256/i);
    expect(h).toMatch(/www-authenticate: Basic realm=/i);
  });

  it('locks a username after 3 failures: then even the right password is refused until the admin resets it', async () => {
    for (let i = 0; i < 3; i++) expect((await exchangeStart('--basic', 'bob:not-the-password')).status).toBe(401);
    const locked = await exchangeStart('--basic', `bob:${password}`);
    expect(locked.status).toBe(429);
    expect(readFileSync(join(dir, 'headers'), 'utf8')).toMatch(/retry-after: \d+/i);
    expect((await exchangeStart('--digest', `bob:${password}`)).status).toBe(429);
    // Another user is not affected.
    expect((await exchangeStart('--basic', `dave:${password}`)).status).toBe(201);
    // The administrator sets the password again: the lock is cleared.
    const put = await mef.admin('PUT', '/admin/enrolees/user/bob', {
      password,
      enroleeId: 'Cbob-phone',
      group: 'phones',
      ...common,
    });
    expect(put.status).toBe(200);
    expect((await exchangeStart('--basic', `bob:${password}`)).status).toBe(201);
  });

  it('a replayed Digest answer (same nonce and nc) is refused', async () => {
    const body = JSON.stringify({
      certificateEnrolmentIndication: false,
      mafEnrolmentIndication: false,
      remoteManagementIndication: false,
    });
    const first = await raw('/mef/enrolment', {}, body);
    expect(first.status).toBe(401);
    const challenge = ([] as string[])
      .concat(first.headers['www-authenticate'] ?? [])
      .find((c) => c.startsWith('Digest'))!;
    const realm = /realm="([^"]+)"/.exec(challenge)![1]!;
    const nonce = /nonce="([^"]+)"/.exec(challenge)![1]!;
    const sha = (s: string) => createHash('sha256').update(s).digest('hex');
    const cnonce = randomBytes(8).toString('hex');
    const ha1 = sha(`dave:${realm}:${password}`);
    const response = sha(`${ha1}:${nonce}:00000001:${cnonce}:auth:${sha('POST:/mef/enrolment')}`);
    const authorization = `Digest username="dave", realm="${realm}", nonce="${nonce}", uri="/mef/enrolment", algorithm=SHA-256, qop=auth, nc=00000001, cnonce="${cnonce}", response="${response}"`;
    expect((await raw('/mef/enrolment', { authorization }, body)).status).toBe(201);
    expect((await raw('/mef/enrolment', { authorization }, body)).status).toBe(401);
  });

  it('a user of a group the MEF has not enabled cannot authenticate', async () => {
    expect((await exchangeStart('--basic', `carol:${password}`)).status).toBe(401);
    expect((await exchangeStart('--digest', `carol:${password}`)).status).toBe(401);
  });

  it('the password is stored only as sealed argon2id / HA1, never in clear', () => {
    const files = ok('sh', ['-c', `cat ${mef.dataDir}/* 2>/dev/null || true`]);
    expect(files.includes(Buffer.from(password))).toBe(false);
    expect(files.includes(Buffer.from('$argon2id$'))).toBe(false);
  });
});
