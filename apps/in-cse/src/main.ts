// The reference IN-CSE: wiring only (configuration, store, CSE core, HTTP binding, logs).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createHttpBinding, HttpRequestSender } from '@m2msec/binding-http';
import { Cse } from '@m2msec/cse';
import { openStore } from '@m2msec/store';
import express from 'express';
import { pino } from 'pino';
import { ConfigError, loadConfig } from './config.js';
import { upperTesterRouter } from './upper-tester.js';

async function main(): Promise<void> {
  const config = loadConfig();
  const log = pino({ level: config.log.level, base: { app: 'in-cse', cseId: config.cse.cseId } });
  mkdirSync(config.dataDir, { recursive: true });
  const store = await openStore(
    config.store.kind === 'sqlite' ? { kind: 'sqlite', file: join(config.dataDir, 'resources.db') } : config.store,
  );
  const origin = `http://${config.http.host}:${config.http.port}`;
  const cse = await Cse.open({
    store,
    log,
    senders: [new HttpRequestSender()],
    appRules: config.registration.appRules,
    config: { ...config.cse, cseType: 1, poa: [origin] },
  });
  const binding = createHttpBinding({
    handler: cse.handle,
    cseId: config.cse.cseId,
    cseBaseName: config.cse.cseBaseName,
    spId: config.cse.spId,
    maxBodyBytes: config.http.maxBodyBytes,
    trustedProxies: config.http.trustedProxies,
    logger: ({ level, message, rqi, error }) => log[level]({ rqi, err: (error as Error)?.name }, message),
  });
  const app = express();
  app.disable('x-powered-by');
  if (config.upperTester) app.use(upperTesterRouter(cse, log));
  app.use(binding.router);
  const server = app.listen(config.http.port, config.http.host);
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  cse.start();
  log.info(
    { url: origin, store: config.store.kind, dataDir: config.dataDir, upperTester: config.upperTester },
    'IN-CSE ready',
  );

  const shutdown = async (signal: string) => {
    log.info({ signal }, 'shutting down');
    await cse.stop();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await store.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((e) => {
  const message = e instanceof ConfigError ? e.message : `failed to start: ${(e as Error).message}`;
  process.stderr.write(`in-cse: ${message}\n`);
  process.exit(1);
});
