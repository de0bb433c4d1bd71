#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { createServer as createHttp } from 'node:http';
import { createServer as createHttps } from 'node:https';
// The console process: configuration -> stores -> IN-CSE client -> HTTP(S) listener. No logic here.
import { answerHelpAndVersion } from '@m2msec/node/cli';
import { AccountStore } from './accounts.js';
import { ConsoleAuditLog } from './audit.js';
import { loadConfig } from './config.js';
import { InCseClient } from './in-cse-client.js';
import { Lockout } from './lockout.js';
import { AdminApiClient, MefClient } from './mef-client.js';
import { startConsoleOps } from './ops.js';
import { Sessions } from './sessions.js';
import { consoleApp } from './web.js';

// --help / --version answer before anything is read or opened (issue 19).
answerHelpAndVersion({
  name: 'm2msec-console-server',
  packageJson: new URL('../package.json', import.meta.url),
  summary: 'the management console web server (M2MSEC_CONSOLE_CONFIG)',
  usage: ['[options]'],
  details: 'Configuration: the JSON file named by M2MSEC_CONSOLE_CONFIG. See apps/console/README.md.',
});

const config = loadConfig();
const app = consoleApp({
  config,
  accounts: new AccountStore(config.dataDir),
  sessions: new Sessions(config.session),
  lockout: new Lockout(config.lockout),
  audit: new ConsoleAuditLog(config.dataDir),
  cse: new InCseClient(config.inCse),
  ...(config.mef ? { mef: new MefClient(config.mef) } : {}),
  ...(config.maf ? { maf: new AdminApiClient(config.maf, 'MAF') } : {}),
  jobs: new Map(),
});
const tls = config.http.tls;
const server = tls ? createHttps({ cert: readFileSync(tls.cert), key: readFileSync(tls.key) }, app) : createHttp(app);
const ops = await startConsoleOps(config);
server.listen(config.http.port, config.http.host, () => {
  const opsNote = ops ? ` (operations: ${ops.url}/metrics, /healthz, /readyz)` : '';
  process.stdout.write(`m2msec console listening on ${config.publicOrigin}${opsNote}\n`);
});
const stop = () => {
  server.closeAllConnections();
  void ops?.close();
  server.close(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
