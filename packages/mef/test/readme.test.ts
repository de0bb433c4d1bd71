// Runs the README example as a program (in this package folder, so '@m2msec/mef' resolves to itself).
import { spawn } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');

it('README example enrols a device and the target fetches the same Kpsa', async () => {
  const readme = readFileSync(join(pkg, 'README.md'), 'utf8');
  const code = /## Example[\s\S]*?```ts\n([\s\S]*?)```/.exec(readme)?.[1];
  expect(code).toBeDefined();
  const file = join(pkg, `.readme-example-${process.pid}.ts`);
  writeFileSync(file, code as string);
  try {
    const r = await new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
      const p = spawn(process.execPath, ['--import', 'tsx', '--conditions=source', file], { cwd: pkg });
      let out = '';
      let err = '';
      p.stdout.on('data', (d) => (out += d));
      p.stderr.on('data', (d) => (err += d));
      const t = setTimeout(() => p.kill('SIGKILL'), 90_000);
      p.on('close', (c) => {
        clearTimeout(t);
        resolve({ code: c, out, err });
      });
    });
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^enrolled [0-9a-f]{32}@mef\.example\.com as Csensor1\n/);
    expect(r.out).toMatch(/target has the same Kpsa: true for Csensor1/);
  } finally {
    rmSync(file, { force: true });
  }
}, 120_000);
