// Scale-out (DESIGN 6): two MEF processes over one PostgreSQL database with a shared KEK. An enrolee
// registered through instance A enrols at instance B (B's PSK directory reloads on the miss; the
// enrolee retries), and the target fetches the key from instance A. An instance with another KEK
// refuses to start instead of failing later.
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { currentEnrolment, fetchCredentials, targetPsk } from '@m2msec/rspf';
import { openSoftwareSecureEnvironment } from '@m2msec/secure-environment';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

// Processes on a shared 2-core machine: generous per-test time.
vi.setConfig({ testTimeout: 120_000 });

import { dist, MEF_FQDN, type MefProcess, run, startMefProcess, tmp } from './helpers.js';

const pgUrl = process.env.M2MSEC_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const schema = `mef_scale_${randomBytes(4).toString('hex')}`;
const dir = tmp('m2msec-mef-scale-');
const kekFile = join(dir, 'kek.hex');
const pg = { M2MSEC_STORE: 'postgres', M2MSEC_PG_URL: pgUrl, M2MSEC_PG_SCHEMA: schema, M2MSEC_MEF_KEK_FILE: kekFile };
let a: MefProcess;
let b: MefProcess;

beforeAll(async () => {
  writeFileSync(kekFile, randomBytes(32).toString('hex'), { mode: 0o600 });
  a = await startMefProcess(pg);
  b = await startMefProcess(pg);
}, 60_000);
afterAll(async () => {
  await a?.stop();
  await b?.stop();
  await run('psql', [pgUrl, '-q', '-c', `DROP SCHEMA IF EXISTS ${schema} CASCADE`]);
});

describe('two MEF instances, one PostgreSQL database', () => {
  it('registered at A, enrolled at B, fetched from A', async () => {
    const kpm = randomBytes(32).toString('hex');
    const kpmFile = join(dir, 'kpm-scale.hex');
    writeFileSync(kpmFile, kpm, { mode: 0o600 }); // keys never on a command line (issue 12 item 8)
    const tk = randomBytes(32).toString('hex');
    expect(
      (
        await a.admin('PUT', '/admin/enrolees/psk/kpm-scale', {
          kpm,
          enroleeId: 'Cscale',
          targets: [{ targetId: '/id-in', suid: 22 }],
          enrolmentExpirySeconds: 3600,
        })
      ).status,
    ).toBe(200);
    expect((await a.admin('PUT', '/admin/targets/%2Fid-in', { pskIdentity: 'in-cse-scale', key: tk })).status).toBe(
      200,
    );
    const seDir = join(dir, 'device');
    let r: Awaited<ReturnType<typeof run>> | undefined;
    for (let i = 0; i < 40; i++) {
      r = await run(process.execPath, [
        join(dist, 'enrol.js'),
        'psk',
        '--mef',
        b.urls.psk!,
        '--mef-fqdn',
        MEF_FQDN,
        '--kpm-id',
        'kpm-scale',
        '--kpm-file',
        kpmFile,
        '--se-dir',
        seDir,
      ]);
      if (r.code === 0) break;
      await new Promise((res) => setTimeout(res, 250));
    }
    expect(r?.code, r?.stderr).toBe(0);
    const keId = JSON.parse(r!.stdout).keID;
    const se = await openSoftwareSecureEnvironment({
      path: join(seDir, 'keystore.json'),
      keyFile: join(seDir, 'keystore.key'),
    });
    const device = await targetPsk(se, await currentEnrolment(se), '/id-in');
    await se.close();
    const fetched = await fetchCredentials(
      {
        mefUrl: a.urls.psk!,
        mefFqdn: MEF_FQDN,
        credential: { kind: 'psk', kpmId: 'in-cse-scale', kpm: Buffer.from(tk, 'hex') },
        targetId: '/id-in',
      },
      keId,
      22,
    );
    expect(Buffer.from(fetched.key).equals(Buffer.from(device.key))).toBe(true);
  });

  it('an instance with another KEK stops at start with a clear message', async () => {
    const other = join(dir, 'other-kek.hex');
    writeFileSync(other, randomBytes(32).toString('hex'), { mode: 0o600 });
    await expect(startMefProcess({ ...pg, M2MSEC_MEF_KEK_FILE: other })).rejects.toThrow(/need the same KEK/);
  });
});
