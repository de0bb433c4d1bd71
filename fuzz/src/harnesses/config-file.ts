// Configuration files of the IN-CSE (the JSON named by M2MSEC_CONFIG): an operator's typo or a hostile file
// must end in a ConfigError that names the problem, never a crash.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as fc from 'fast-check';
import { ConfigError, loadConfig } from '../../../packages/node/src/config.js';
import { harness } from '../harness.js';
import { deepJson, mutatedText } from '../mutate.js';

const seeds = [
  readFileSync(new URL('../../../infra/docker/config/in-cse.json', import.meta.url), 'utf8'),
  '{"cse": {"cseId": "/id-in", "spId": "m2msec.org"}, "http": {"port": 8080}, "security": {"mca": "required"}}',
  '{}',
];
let file = '';

export default harness({
  name: 'config-file',
  parses: 'in-cse loadConfig (JSON file + schema)',
  input: fc.oneof({ weight: 10, arbitrary: mutatedText(seeds) }, { weight: 1, arbitrary: deepJson }),
  async setup() {
    file = join(mkdtempSync(join(tmpdir(), 'm2msec-fuzz-config-')), 'config.json');
  },
  run(text) {
    writeFileSync(file, text, 'latin1');
    loadConfig({ M2MSEC_CONFIG: file });
  },
  refusal: (e) => e instanceof ConfigError,
});
