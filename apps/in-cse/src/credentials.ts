// Admin CLI for the IN-CSE's credentials (TS-0003 6.2.5 sensitive data, 8.2.1 Credential-ID bindings): the
// commands shared with the MN-CSE (@m2msec/node/credentials), on the IN-CSE's configuration. Run it while
// the IN-CSE is stopped; `node dist/credentials.js --help` lists the commands. Key bytes come from
// --key-file <file|-> only, never from argv; while the IN-CSE runs, revoke a Kpsa with
// DELETE /.well-known/m2msec/credentials/psk/<id> instead (it also tears down the live sessions).
import { loadConfig } from '@m2msec/node';
import { credentialsMain, credentialsProgram } from '@m2msec/node/credentials';

credentialsMain(
  credentialsProgram('m2msec-in-cse-credentials', new URL('../package.json', import.meta.url), 'IN-CSE'),
  process.argv.slice(2),
  () => loadConfig(),
  'in-cse-admin',
);
