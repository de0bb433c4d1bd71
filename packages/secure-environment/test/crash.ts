// Crash-test driver shared by the software and PKCS#11 crash tests.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import type { SecureEnvironment } from '../src/index.js';

const pkgDir = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Bundle the child once with esbuild (a devDependency), so each of the hundreds of spawns starts fast. */
export async function bundleChild(): Promise<string> {
  const esbuild = createRequire(join(pkgDir, 'package.json'))('esbuild') as typeof import('esbuild');
  const outfile = join(pkgDir, 'node_modules', '.cache', `provision-loop-${process.pid}.mjs`);
  mkdirSync(dirname(outfile), { recursive: true });
  await esbuild.build({
    entryPoints: [join(pkgDir, 'test', 'fixtures', 'provision-loop.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile,
    external: ['pkcs11js'],
    conditions: ['source'],
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
    logLevel: 'silent',
  });
  return outfile;
}

/**
 * Start the child, wait for "ready" (or, with `afterAck`, for its first acknowledged commit, so a loaded
 * machine still makes progress across trials), let it run 0-30 ms more, SIGKILL it; returns the last
 * acknowledged k.
 */
export async function runAndKill(child: string, cfg: object, rng: () => number, afterAck = false): Promise<number> {
  const p: ChildProcess = spawn(process.execPath, [child, JSON.stringify(cfg)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  p.stdout!.on('data', (d) => {
    out += d;
  });
  p.stderr!.on('data', (d) => {
    err += d;
  });
  const exited = new Promise<void>((resolve) => p.on('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const t = setInterval(() => {
      if (afterAck ? /committed \d+/.test(out) : out.includes('ready\n')) {
        clearInterval(t);
        resolve();
      }
      if (p.exitCode !== null) {
        clearInterval(t);
        reject(new Error(`child exited early: ${err}`));
      }
    }, 1);
  });
  await new Promise((r) => setTimeout(r, Math.floor(rng() * 31)));
  p.kill('SIGKILL');
  await exited;
  if (err.trim()) throw new Error(`child failed: ${err}`);
  const acks = [...out.matchAll(/committed (\d+)/g)].map((m) => Number(m[1]));
  return acks.length ? acks[acks.length - 1]! : -1;
}

/**
 * The store must hold exactly the state after some session K: every session wholly present or
 * wholly absent, and no acknowledged session lost.
 */
export async function checkWholeSessions(se: SecureEnvironment, lastAck: number, previousK: number): Promise<number> {
  const creds = await se.listCredentials();
  const K = creds.reduce((m, l) => Math.max(m, Number.parseInt(l, 10)), 0);
  expect(K).toBeGreaterThanOrEqual(Math.max(lastAck, previousK));
  const expectedKeys = ['session'];
  const expectedCreds: string[] = [];
  if (K >= 1) {
    expectedKeys.push(`${K}/a`, `${K}/b`);
    expectedCreds.push(`${K}/c`);
  }
  if (K >= 2) {
    expectedKeys.push(`${K - 1}/b`);
    expectedCreds.push(`${K - 1}/c`);
  }
  const keys = await se.listKeys();
  expect(keys.map((k) => k.id).sort()).toEqual(expectedKeys.sort());
  expect(creds.sort()).toEqual(expectedCreds.sort());
  if (K >= 1) expect((await se.getKey(`${K}/b`))?.label).toBe('');
  if (K >= 2) expect((await se.getKey(`${K - 1}/b`))?.label).toBe(`updated-by-${K}`);
  if (K >= 1) expect(Buffer.from((await se.readCredential(`${K}/c`))!).toString()).toBe(`v${K}`);
  return K;
}

/** Small deterministic PRNG so a failing run can be replayed with its seed. */
export function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
