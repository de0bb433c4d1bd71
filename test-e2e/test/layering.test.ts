// The layering lint (scripts/check-layers.sh, run by `pnpm lint`) against a deliberately added upward import:
// a fixture tree with the repository's package names, so the real tree is never touched while tests run.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const script = fileURLToPath(new URL('../../scripts/check-layers.sh', import.meta.url));

function fixture(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'm2msec-layers-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

const lint = (cwd: string) => spawnSync('bash', [script], { cwd, encoding: 'utf8' });

describe('layering lint (DESIGN.md section 1)', () => {
  it('passes downward imports', () => {
    const r = lint(
      fixture({
        'packages/protocol/src/index.ts': 'export const a = 1;\n',
        'packages/cse/src/index.ts': "export { a } from '../../protocol/src/index.js';\n",
        'packages/binding-http/src/index.ts': "export { a } from '../../protocol/src/index.js';\n",
      }),
    );
    expect(r.status, r.stdout + r.stderr).toBe(0);
  });

  it('fails on a foundation package importing the CSE core', () => {
    const r = lint(
      fixture({
        'packages/cse/src/index.ts': 'export const cse = 1;\n',
        'packages/protocol/src/index.ts': "export { cse } from '../../cse/src/index.js';\n",
      }),
    );
    expect(r.status).not.toBe(0);
    expect(r.stdout).toContain(
      'no-upward-import-from-layer-0: packages/protocol/src/index.ts → packages/cse/src/index.ts',
    );
  });

  it('fails on a security function importing a binding, and on an undeclared workspace import', () => {
    const r = lint(
      fixture({
        'packages/binding-http/src/index.ts': 'export const b = 1;\n',
        'packages/authorization/src/index.ts': "export { b } from '../../binding-http/src/index.js';\n",
        'packages/identification/src/index.ts': "import '@m2msec/cse';\n",
      }),
    );
    expect(r.status).not.toBe(0);
    expect(r.stdout).toContain('no-upward-import-from-layer-3: packages/authorization/src/index.ts');
    expect(r.stdout).toContain('no-unresolvable-workspace-import: packages/identification/src/index.ts → @m2msec/cse');
  });

  it('fails on a binding importing anything above the foundation', () => {
    const r = lint(
      fixture({
        'packages/saef/src/index.ts': 'export const s = 1;\n',
        'packages/binding-mqtt/src/index.ts': "export { s } from '../../saef/src/index.js';\n",
      }),
    );
    expect(r.status).not.toBe(0);
    expect(r.stdout).toContain('bindings-import-only-the-foundation: packages/binding-mqtt/src/index.ts');
  });

  it('fails on express imported outside binding-http (HTTP goes through the one shared edge)', () => {
    const r = lint(
      fixture({
        'packages/est/src/index.ts': "import express from 'express';\nexport const app = express();\n",
        'packages/binding-http/src/index.ts': "import express from 'express';\nexport const app = express();\n",
      }),
    );
    expect(r.status).not.toBe(0);
    expect(r.stdout).toContain('express-only-in-binding-http: packages/est/src/index.ts → express');
    expect(r.stdout).not.toContain('express-only-in-binding-http: packages/binding-http/');
  });
});
