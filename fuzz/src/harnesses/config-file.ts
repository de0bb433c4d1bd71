// Configuration files of the IN-CSE (the JSON named by M2MSEC_CONFIG): an operator's typo or a hostile file
// must end in a ConfigError that names the problem, never a crash.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as fc from 'fast-check';
import { ConfigError, loadConfig } from '../../../packages/node/src/config.js';
import { harness } from '../harness.js';
import { deepJson, mutatedText } from '../mutate.js';

const seeds = [
  // The shape of a secure-profile IN-CSE file (topology (a)'s, written by test-e2e/src/docker/lab.ts).
  JSON.stringify({
    profile: 'secure',
    cse: { cseId: '/id-in', cseBaseName: 'cse-in', spId: 'm2msec.org', adminOriginators: ['CAdmin'] },
    http: { host: '127.0.0.1', port: 8080, maxBodyBytes: 1048576, trustedProxies: [] },
    registration: { appRules: [{ name: 'viewers', applicableCredIDs: ['33-/id-in/Cae2'], allowedAEs: ['Cae2'] }] },
    security: {
      mca: 'required',
      keyFile: '/run/m2msec/kek',
      administrators: [{ name: 'operator', originator: 'CAdmin', certificateSan: 'uri:m2m://m2msec.org/id-in/CAdmin' }],
      certificate: { host: '0.0.0.0', port: 8443, cert: '/run/m2msec/server.pem', key: '/run/m2msec/server.key' },
    },
    log: { level: 'info' },
  }),
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
