// Runs the README example as a program (in this package folder, so '@m2msec/dskpp' resolves to itself).
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');

it('README example runs and provisions a key on both ends', () => {
  const readme = readFileSync(join(pkg, 'README.md'), 'utf8');
  const code = /## Example[\s\S]*?```ts\n([\s\S]*?)```/.exec(readme)?.[1];
  expect(code).toBeDefined();
  const file = join(pkg, `.readme-example-${process.pid}.ts`);
  writeFileSync(file, code as string);
  try {
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--conditions=source', file], {
      cwd: pkg,
      timeout: 60_000,
    });
    expect(r.stderr.toString()).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout.toString()).toMatch(
      /^provisioned [0-9a-f]{32} http:\/\/www\.w3\.org\/2001\/04\/xmlenc#aes128-cbc until \d{4}-/,
    );
    expect(r.stdout.toString()).toMatch(/server holds it too: true - attestation true/);
  } finally {
    rmSync(file, { force: true });
  }
});
