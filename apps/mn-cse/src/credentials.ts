// Admin CLI for the MN-CSE's credentials (TS-0003 6.2.5 sensitive data, 8.2.1 Credential-ID bindings): the
// IN-CSE's commands (@m2msec/node/credentials) on the MN-CSE's configuration, for the SAEFs it offers AEs
// (security.psk, security.maf: docs/mn-cse.md). Run it while the MN-CSE is stopped; `--help` lists them.
// Key bytes come from --key-file <file|-> only, never from argv.
import { credentialsMain, credentialsProgram } from '@m2msec/node/credentials';
import { loadConfig } from './config.js';
import { credentialsConfigOf } from './credentials-config.js';

credentialsMain(
  credentialsProgram('m2msec-mn-cse-credentials', new URL('../package.json', import.meta.url), 'MN-CSE'),
  process.argv.slice(2),
  () => credentialsConfigOf(loadConfig()),
  'mn-cse-admin',
);
