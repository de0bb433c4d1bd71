// The username / password option for user devices: server-only TLS (the MEF's certificate) plus
// HTTP Digest (RFC 7616, SHA-256), off unless configured, outside the EST profile. curl --digest is
// the independent client; the rspf client enrols with it end to end.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkEnrolmentSet, enrol } from '@m2msec/rspf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MEF_FQDN, makeServerCertificate, openSe, startTestMef, type TestMef, tmp } from './helpers.js';

const dir = tmp('m2msec-mef-digest-');
let t: TestMef;
let port: number;
const password = 'correct horse battery';

beforeAll(async () => {
  makeServerCertificate(dir);
  t = await startTestMef({
    user: {
      host: '127.0.0.1',
      port: 0,
      cert: readFileSync(join(dir, 'mef.pem')),
      key: readFileSync(join(dir, 'mef.key')),
      groups: ['phones'],
    },
  });
  port = Number(new URL(t.mef.urls.user!).port);
  const put = await t.admin('PUT', '/admin/enrolees/user/alice', {
    password,
    enroleeId: 'Calice-phone',
    targets: [{ targetId: '/id-in', suid: 22 }],
    enrolmentExpirySeconds: 3600,
    group: 'phones',
  });
  expect(put.status).toBe(200);
});
afterAll(() => t?.close());

/** Asynchronous: the MEF runs in this process, so a blocking spawn would stall it. */
function runAsync(cmd: string, args: string[]): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(cmd, args);
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => p.kill('SIGKILL'), 60_000);
    p.on('close', () => {
      clearTimeout(timer);
      resolve({ stdout, stderr });
    });
  });
}

const curl = (user: string) =>
  runAsync('curl', [
    '-sS',
    '--digest',
    '-u',
    user,
    '--cacert',
    join(dir, 'root.pem'),
    '--resolve',
    `${MEF_FQDN}:${port}:127.0.0.1`,
    '-H',
    'content-type: application/json',
    '-w',
    '\n%{http_code}',
    '--data',
    JSON.stringify({
      certificateEnrolmentIndication: false,
      mafEnrolmentIndication: false,
      remoteManagementIndication: false,
    }),
    `https://${MEF_FQDN}:${port}/mef/enrolment`,
  ]);

describe('username / password option (HTTP Digest)', () => {
  it('curl --digest authenticates and starts an enrolment exchange', async () => {
    const r = await curl(`alice:${password}`);
    const status = r.stdout.slice(r.stdout.lastIndexOf('\n') + 1);
    expect(status, r.stdout + r.stderr).toBe('201');
    const body = JSON.parse(r.stdout.slice(0, r.stdout.lastIndexOf('\n')));
    expect(body.keID).toMatch(new RegExp(`@${MEF_FQDN.replace(/\./g, '\\.')}$`));
    expect(body.instruction.enroleeID).toBe('Calice-phone');
  });

  it('a wrong password or an unknown user gets 401 with a fresh challenge', async () => {
    for (const u of [`alice:wrong-password`, `mallory:${password}`]) {
      const r = await curl(u);
      expect(r.stdout.slice(r.stdout.lastIndexOf('\n') + 1)).toBe('401');
    }
  });

  it('the rspf client enrols with username / password end to end; EST is not served on this listener', async () => {
    const se = await openSe();
    const r = await enrol({
      mefUrl: `https://127.0.0.1:${port}`,
      mefFqdn: MEF_FQDN,
      bootstrap: { kind: 'user', username: 'alice', password, trustAnchors: [readFileSync(join(dir, 'root.pem'))] },
      se,
    });
    expect(r.enroleeId).toBe('Calice-phone');
    expect(await checkEnrolmentSet(se)).toEqual([]);
    const wrong = await openSe();
    await expect(
      enrol({
        mefUrl: `https://127.0.0.1:${port}`,
        mefFqdn: MEF_FQDN,
        bootstrap: {
          kind: 'user',
          username: 'alice',
          password: 'nope-nope',
          trustAnchors: [readFileSync(join(dir, 'root.pem'))],
        },
        se: wrong,
      }),
    ).rejects.toThrow(/401/);
    expect(await wrong.listKeys()).toEqual([]);
    const est = await runAsync('curl', [
      '-sS',
      '--digest',
      '-u',
      `alice:${password}`,
      '--cacert',
      join(dir, 'root.pem'),
      '--resolve',
      `${MEF_FQDN}:${port}:127.0.0.1`,
      '-o',
      '/dev/null',
      '-w',
      '%{http_code}',
      `https://${MEF_FQDN}:${port}/.well-known/est/cacerts`,
    ]);
    expect(est.stdout).toBe('404');
    await se.close();
    await wrong.close();
  });
});
