// Every program of every app (the `bin` entries of apps/*/package.json) answers --help (usage and options
// on stdout, exit 0) and --version (the package version, exit 0), and starts nothing: it runs with an
// environment whose configuration would make it fail, and a port that would have to be bound (issue 19).
// Needs built dists (pnpm build).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const appsDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'apps');

interface Bin {
  app: string;
  name: string;
  file: string;
  version: string;
}

const bins: Bin[] = readdirSync(appsDir)
  .filter((a) => existsSync(join(appsDir, a, 'package.json')))
  .flatMap((app) => {
    const pkg = JSON.parse(readFileSync(join(appsDir, app, 'package.json'), 'utf8')) as {
      version: string;
      bin?: Record<string, string>;
    };
    return Object.entries(pkg.bin ?? {}).map(([name, file]) => ({
      app,
      name,
      file: join(appsDir, app, file),
      version: pkg.version,
    }));
  });

// A configuration that cannot be read: a program that went on to start would fail or hang, not exit 0.
const env = {
  ...process.env,
  M2MSEC_CONFIG: '/nonexistent/m2msec-cli-help.json',
  M2MSEC_MEF_CONFIG: '/nonexistent/m2msec-cli-help.json',
  M2MSEC_MAF_CONFIG: '/nonexistent/m2msec-cli-help.json',
  M2MSEC_CONSOLE_CONFIG: '/nonexistent/m2msec-cli-help.json',
  M2MSEC_DAS_CONFIG: '/nonexistent/m2msec-cli-help.json',
};

const run = (b: Bin, args: string[]) =>
  spawnSync(process.execPath, [b.file, ...args], { encoding: 'utf8', env, timeout: 60_000, stdio: 'pipe' });
// Loading a program's modules takes seconds on a loaded machine: bounded per test, not per flag.
const bound = { timeout: 150_000 };

describe('every bin of every app', () => {
  it('finds the programs (apps/*/package.json bin)', () => {
    expect(bins.map((b) => b.name)).toEqual(
      expect.arrayContaining(['m2msec-in-cse', 'm2msec-mn-cse', 'm2msec-ae', 'm2msec-mef', 'm2msec-maf', 'm2msec-das']),
    );
    for (const b of bins) expect(existsSync(b.file), `${b.name}: ${b.file} (pnpm build)`).toBe(true);
  });

  for (const b of bins) {
    it(`${b.name} --help: usage and options, exit 0, nothing started`, bound, () => {
      for (const flag of ['--help', '-h']) {
        const r = run(b, [flag]);
        expect(r.status, `${b.name} ${flag}: ${r.stderr}`).toBe(0);
        expect(r.stdout).toContain(`${b.name} ${b.version}`);
        expect(r.stdout).toContain('Usage:');
        expect(r.stdout).toContain(`  ${b.name} `);
        expect(r.stdout).toMatch(/--help\s+print this help and exit/);
        expect(r.stdout).toMatch(/--version\s+print the version and exit/);
        expect(r.stderr).toBe('');
      }
    });

    it(`${b.name} --version: the package version, exit 0`, bound, () => {
      for (const flag of ['--version', '-V']) {
        const r = run(b, [flag]);
        expect(r.status, `${b.name} ${flag}: ${r.stderr}`).toBe(0);
        expect(r.stdout).toBe(`${b.version}\n`);
        expect(r.stderr).toBe('');
      }
    });
  }
});
