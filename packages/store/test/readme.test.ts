import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');

it('runs the README example as written', () => {
  const readme = readFileSync(join(pkg, 'README.md'), 'utf8');
  const code = /```ts\n([\s\S]*?)```/.exec(readme)![1];
  const file = join(pkg, `.readme-example-${process.pid}.mts`);
  writeFileSync(file, code);
  try {
    // The package imports itself by name; 'source' resolves it to src/ as in the tests.
    const r = spawnSync(process.execPath, ['--conditions=source', '--import', 'tsx', file], {
      cwd: pkg,
      encoding: 'utf8',
    });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe("Nsensor 1 [ 'C1' ]\n");
  } finally {
    rmSync(file, { force: true });
  }
});
