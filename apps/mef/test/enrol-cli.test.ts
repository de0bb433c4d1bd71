// m2msec-enrol against the MEF process: bulk mode from a CSV (progress bar on stderr, per-device
// results, one failure reported without stopping the others), then show / check on a device SE.
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

// Processes on a shared 2-core machine: generous per-test time.
vi.setConfig({ testTimeout: 120_000 });

import { freePort } from '@m2msec/test-support';
import { dist, MEF_FQDN, type MefProcess, run, startMefProcess, tmp } from './helpers.js';

const N = 6;
let mef: MefProcess;
let opsPort: number;
const devices = Array.from({ length: N }, (_, i) => ({ kpmId: `bulk-${i}`, kpmHex: randomBytes(32).toString('hex') }));
const cli = (args: string[]) => run(process.execPath, [join(dist, 'enrol.js'), ...args], { timeoutMs: 120_000 });

beforeAll(async () => {
  opsPort = await freePort();
  mef = await startMefProcess({ M2MSEC_OPS_PORT: String(opsPort) });
  for (const [i, d] of devices.entries()) {
    const r = await mef.admin('PUT', `/admin/enrolees/psk/${d.kpmId}`, {
      kpm: d.kpmHex,
      enroleeId: `Cbulk${i}`,
      targets: [{ targetId: '/id-in', suid: 22 }],
      enrolmentExpirySeconds: 3600,
    });
    expect(r.status).toBe(200);
  }
}, 60_000);
afterAll(() => mef?.stop());

describe('m2msec-enrol', () => {
  it('bulk: enrols every device of a CSV with a progress bar; an unknown device fails alone', async () => {
    const dir = tmp('m2msec-bulk-');
    const csv = join(dir, 'devices.csv');
    const rows = [...devices, { kpmId: 'unknown-device', kpmHex: randomBytes(32).toString('hex') }];
    // The CSV holds Kpm keys: owner-only, or m2msec-enrol refuses it (issue 12 item 8).
    writeFileSync(csv, `kpmId,kpmHex\n${rows.map((d) => `${d.kpmId},${d.kpmHex}`).join('\n')}\n`, { mode: 0o600 });
    const out = join(dir, 'out');
    const r = await cli([
      'bulk',
      '--mef',
      mef.urls.psk!,
      '--mef-fqdn',
      MEF_FQDN,
      '--csv',
      csv,
      '--out-dir',
      out,
      '--concurrency',
      '3',
      '--target',
      '/id-in',
    ]);
    expect(r.code, r.stderr).toBe(1); // one device failed
    expect(JSON.parse(r.stdout)).toEqual({ devices: N + 1, enrolled: N, failed: 1 });
    // The operations listener (issue 19 item 3) counted each enrolment and answers /readyz.
    const metrics = await (await fetch(`http://127.0.0.1:${opsPort}/metrics`)).text();
    expect(metrics).toContain(`m2msec_enrolments_total{framework="rspf",outcome="ok",app="mef"} ${N}`);
    const ready = await fetch(`http://127.0.0.1:${opsPort}/readyz`);
    expect(await ready.json()).toEqual({
      status: 'ready',
      checks: { store: { ok: true }, secureEnvironment: { ok: true } },
    });
    expect(r.stderr).toMatch(/enrolling \[.*\] 7\/7 devices \| 1 failed/);
    const results = readFileSync(join(out, 'results.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(results.filter((x) => x.ok)).toHaveLength(N);
    expect(results.find((x) => !x.ok)).toMatchObject({ kpmId: 'unknown-device' });
    for (const d of rows)
      expect(r.stdout + r.stderr + readFileSync(join(out, 'results.jsonl'), 'utf8')).not.toContain(d.kpmHex);
    for (const d of devices) {
      const check = await cli(['check', '--se-dir', join(out, d.kpmId)]);
      expect(JSON.parse(check.stdout)).toEqual({ consistent: true, problems: [] });
      const show = JSON.parse((await cli(['show', '--se-dir', join(out, d.kpmId)])).stdout);
      expect(show.targets).toEqual(['/id-in']);
      expect(results.find((x) => x.kpmId === d.kpmId)?.keID).toBe(show.keID);
    }
    const unknown = await cli(['check', '--se-dir', join(out, 'unknown-device')]);
    expect(JSON.parse(unknown.stdout)).toEqual({ consistent: true, problems: [] }); // nothing stored at all
  });

  it('refuses bad input with a usage error (exit 2)', async () => {
    const r = await cli(['psk', '--mef', mef.urls.psk!]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--[a-z-]+ is required once/);
    const badKey = join(tmp('m2msec-x-'), 'kpm.hex');
    writeFileSync(badKey, 'zz', { mode: 0o600 });
    const k = await cli([
      'psk',
      '--mef',
      mef.urls.psk!,
      '--mef-fqdn',
      MEF_FQDN,
      '--kpm-id',
      'x',
      '--kpm-file',
      badKey,
      '--se-dir',
      tmp('m2msec-x-'),
    ]);
    expect(k.code).toBe(2);
    expect(k.stderr).toMatch(/--kpm-file must hold/);
  });

  it('a wrong Kpm or an unknown KpmID is said in words, not as OpenSSL text alone (issue 19 item 6)', async () => {
    const wrong = join(tmp('m2msec-wrong-'), 'kpm.hex');
    const wrongHex = randomBytes(32).toString('hex');
    writeFileSync(wrong, wrongHex, { mode: 0o600 });
    const psk = (kpmId: string) =>
      cli([
        'psk',
        '--mef',
        mef.urls.psk!,
        '--mef-fqdn',
        MEF_FQDN,
        '--kpm-id',
        kpmId,
        '--kpm-file',
        wrong,
        '--se-dir',
        tmp('m2msec-w-'),
      ]);
    const mismatch = await psk(devices[0]!.kpmId);
    expect(mismatch.code).toBe(1);
    expect(mismatch.stderr).toMatch(
      /the PSK for identity 'bulk-0' does not match the one the MEF holds: check --kpm-file \(TLS alert: (bad record mac|decrypt error)\)/,
    );
    const unknown = await psk('nobody-here');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/the MEF does not know the PSK identity 'nobody-here': check --kpm-id/);
    for (const r of [mismatch, unknown]) {
      expect(r.stderr).not.toMatch(/SSL routines|rec_layer/);
      expect(r.stderr + r.stdout).not.toContain(wrongHex);
    }
  });
});
