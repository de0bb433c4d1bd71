// Writes docs/config-schemas/<app>.schema.json from the schemas the apps' configuration loaders validate
// against (issue 19 item 4: generated, never hand-copied). `--check` exits 1 when a file is stale.
// Run: npx tsx scripts/gen-config-schemas.ts [--check]
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { schema as das } from '../apps/das/src/config.js';
import { schema as mnCse } from '../apps/mn-cse/src/config.js';
import { schema as inCse } from '../packages/node/src/config.js';

const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'docs', 'config-schemas');
const merged =
  'The configuration after the defaults are merged under the file and the environment overrides are applied: a file needs only the keys it changes.';
const apps: Record<string, { schema: object; file: string; description: string }> = {
  'in-cse': { schema: inCse, file: 'M2MSEC_CONFIG', description: `${merged} See docs/in-cse.md.` },
  'mn-cse': { schema: mnCse, file: 'M2MSEC_CONFIG', description: `${merged} See docs/mn-cse.md.` },
  das: {
    schema: das,
    file: 'M2MSEC_DAS_CONFIG',
    description: 'The whole file; M2MSEC_DAS_HOST / M2MSEC_DAS_PORT / M2MSEC_OPS_PORT override.',
  },
};

export function rendered(app: string): string {
  const a = apps[app]!;
  const doc = {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: `m2msec ${app} configuration (the file named by ${a.file})`,
    description: a.description,
    ...a.schema,
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

export const appNames = Object.keys(apps);

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const check = process.argv.includes('--check');
  let stale = 0;
  for (const app of appNames) {
    const path = join(out, `${app}.schema.json`);
    let current = '';
    try {
      current = readFileSync(path, 'utf8');
    } catch {
      /* absent */
    }
    if (current === rendered(app)) continue;
    if (check) {
      process.stderr.write(`${path} is stale: run npx tsx scripts/gen-config-schemas.ts\n`);
      stale++;
    } else writeFileSync(path, rendered(app));
  }
  process.exit(stale ? 1 : 0);
}
