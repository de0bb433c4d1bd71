#!/usr/bin/env node
// The console process: configuration -> stores -> IN-CSE client -> HTTP(S) listener. No logic here.
import { readFileSync } from 'node:fs';
import { createServer as createHttp } from 'node:http';
import { createServer as createHttps } from 'node:https';
import { AccountStore } from './accounts.js';
import { ConsoleAuditLog } from './audit.js';
import { loadConfig } from './config.js';
import { InCseClient } from './in-cse-client.js';
import { Lockout } from './lockout.js';
import { AdminApiClient, MefClient } from './mef-client.js';
import { Sessions } from './sessions.js';
import { consoleApp } from './web.js';

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
server.listen(config.http.port, config.http.host, () => {
  process.stdout.write(`m2msec console listening on ${config.publicOrigin}\n`);
});
const stop = () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
