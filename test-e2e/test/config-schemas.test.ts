// Issue 19 item 4: docs/config-schemas/*.schema.json are what scripts/gen-config-schemas.ts makes from the
// schemas the loaders validate against (stale files fail here), and they judge real files alike: the
// compose scenario's configurations pass, a misspelt key fails in both the loader and the published schema.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { loadConfig as loadInCseConfig } from '../../packages/node/src/config.js';
import { appNames, rendered } from '../../scripts/gen-config-schemas.js';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const published = (app: string) => readFileSync(join(repo, 'docs', 'config-schemas', `${app}.schema.json`), 'utf8');

describe('published configuration schemas', () => {
  for (const app of appNames) {
    it(`${app}: docs/config-schemas/${app}.schema.json is current (npx tsx scripts/gen-config-schemas.ts)`, () => {
      expect(published(app)).toBe(rendered(app));
    });
  }

  it('the IN-CSE schema agrees with its loader on a good and a misspelt configuration', () => {
    const { $schema: _, ...schema } = JSON.parse(published('in-cse'));
    const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
    const good = loadInCseConfig({});
    expect(validate(good), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ ...good, log: { levle: 'info' } })).toBe(false);
  });
});
