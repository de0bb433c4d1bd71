import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');

describe('README', () => {
  it('the example runs and prints what its comment says', () => {
    const readme = readFileSync(join(pkg, 'README.md'), 'utf8');
    const code = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(code).toBeDefined();
    // inside the package so that '@m2msec/authorization' resolves to itself
    const file = join(pkg, `.readme-example-${process.pid}.ts`);
    writeFileSync(file, code!);
    try {
      const run = spawnSync(process.execPath, ['--conditions=source', '--import', 'tsx', file], {
        cwd: pkg,
        encoding: 'utf8',
      });
      expect(run.stderr).toBe('');
      expect(run.stdout.trim()).toBe('true');
    } finally {
      rmSync(file, { force: true });
    }
  });
});
