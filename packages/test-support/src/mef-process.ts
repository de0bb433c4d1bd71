// The MEF (apps/mef, built) and the enrolee CLI (m2msec-enrol) as processes, shared by the RSPF and
// MEF-provisioned end-to-end tests of the IN-CSE and the MN-CSE. The caller's package must build
// @m2msec/mef-app first (a devDependency).
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// From packages/test-support/{src,dist}/ to apps/mef/dist/.
const mefDist = fileURLToPath(new URL('../../../apps/mef/dist/', import.meta.url));
export const MEF_FQDN = 'mef.m2msec.org';
export const MEF_ADMIN_TOKEN = 'rspf-test-admin-token';

export interface MefProcess {
  /** As the MEF announces them ("MEF ready"); psk is there because these tests always open that listener. */
  urls: { psk: string; admin: string; crl?: string; gbaUb?: string; gbaZn?: string };
  output(): string;
  admin(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
  waitFor(text: string, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startMefProcess(env: Record<string, string> = {}): Promise<MefProcess> {
  const dataDir = mkdtempSync(join(tmpdir(), 'm2msec-mef-'));
  const child: ChildProcess = spawn(process.execPath, [join(mefDist, 'main.js')], {
    env: {
      ...(process.env as Record<string, string>),
      M2MSEC_MEF_CONFIG: '',
      M2MSEC_MEF_FQDN: MEF_FQDN,
      M2MSEC_MEF_DATA_DIR: dataDir,
      M2MSEC_MEF_PSK_PORT: '0',
      M2MSEC_MEF_ADMIN_PORT: '0',
      M2MSEC_MEF_ADMIN_TOKEN: MEF_ADMIN_TOKEN,
      M2MSEC_LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 30_000;
  let urls: MefProcess['urls'] | undefined;
  while (!urls) {
    const line = out.split('\n').find((l) => l.includes('"MEF ready"'));
    if (line) urls = JSON.parse(line).urls;
    else if (child.exitCode !== null) throw new Error(`MEF exited: ${out}`);
    else if (Date.now() > deadline) throw new Error(`MEF did not start: ${out}`);
    else await new Promise((r) => setTimeout(r, 50));
  }
  const u = urls;
  return {
    urls: u,
    output: () => out,
    async admin(method, path, body) {
      const r = await fetch(u.admin + path, {
        method,
        headers: { authorization: `Bearer ${MEF_ADMIN_TOKEN}`, 'content-type': 'application/json' },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      return { status: r.status, body: await r.json() };
    },
    async waitFor(text, timeoutMs = 20_000) {
      const end = Date.now() + timeoutMs;
      while (!out.includes(text)) {
        if (Date.now() > end) throw new Error(`MEF never logged '${text}': ${out}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Runs m2msec-enrol (built) to completion. */
export function enrolCli(
  args: string[],
  timeoutMs = 60_000,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [join(mefDist, 'enrol.js'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    const t = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.on('close', (code) => {
      clearTimeout(t);
      resolve({ code, stdout, stderr });
    });
  });
}

export interface EsprimEnrolment {
  /** The enrolee's own SE directory (keystore.json, keystore.key), where m2msec-enrol left its keys. */
  seDir: string;
  enroleeId: string;
}

/**
 * An enrolee granted an ESPrim key (TS-0003 8.6.2 with the RSPF of 8.3; SUID 23) for one Enrolment Target:
 * the MEF's admin API registers its Kpm and grant, then m2msec-enrol (holding only Kpm) enrols and keeps
 * Ke in its SE. The caller reads the target key from that SE (@m2msec/rspf targetPsk).
 */
export async function enrolEsprimEnrolee(
  mef: MefProcess,
  o: { n: number; enroleeId: string; targetId: string; targetFqdn: string; workDir: string },
): Promise<EsprimEnrolment> {
  const kpmId = `kpm-esprim-${o.n}`;
  const kpm = randomBytes(32).toString('hex');
  const put = await mef.admin('PUT', `/admin/enrolees/psk/${kpmId}`, {
    kpm,
    enroleeId: o.enroleeId,
    targets: [{ targetId: o.targetId, suid: 23, targetFqdn: o.targetFqdn }],
    enrolmentExpirySeconds: 3600,
  });
  if (put.status !== 200) throw new Error(`MEF refused the enrolee: ${put.status} ${JSON.stringify(put.body)}`);
  const seDir = join(o.workDir, `device-${o.n}`);
  const kpmFile = join(o.workDir, `kpm-${o.n}.hex`);
  writeFileSync(kpmFile, kpm, { mode: 0o600 });
  const r = await enrolCli([
    'psk',
    '--mef',
    mef.urls.psk,
    '--mef-fqdn',
    MEF_FQDN,
    '--kpm-id',
    kpmId,
    '--kpm-file',
    kpmFile,
    '--se-dir',
    seDir,
    '--target',
    o.targetId,
  ]);
  if (r.code !== 0) throw new Error(`m2msec-enrol failed (${r.code}): ${r.stderr}`);
  return { seDir, enroleeId: o.enroleeId };
}
