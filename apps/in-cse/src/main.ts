#!/usr/bin/env node
// The reference IN-CSE: command line -> configuration -> createCseNode -> start (docs/in-cse.md).
import { answerHelpAndVersion, type Program } from '@m2msec/node/cli';

const program: Program = {
  name: 'm2msec-in-cse',
  packageJson: new URL('../package.json', import.meta.url),
  summary: 'the reference IN-CSE (HTTP, TLS-PSK / certificate SAEF listeners, CoAP/DTLS, MQTT by configuration)',
  usage: ['[options]'],
  details: [
    'Configuration: defaults, then the JSON file named by M2MSEC_CONFIG, then environment overrides',
    '(M2MSEC_DATA_DIR, M2MSEC_HTTP_HOST, M2MSEC_HTTP_PORT, M2MSEC_KEK / M2MSEC_KEK_FILE,',
    'M2MSEC_NOTIFICATION_ALLOW_TARGETS, ...). See docs/in-cse.md and docs/administration.md.',
    'Credentials: m2msec-in-cse-credentials --help (node dist/credentials.js).',
  ].join('\n'),
};

answerHelpAndVersion(program);
const { ConfigError, createCseNode, loadConfig } = await import('@m2msec/node');
const { configSummary, lifecycle } = await import('@m2msec/observability');

async function main(): Promise<void> {
  const config = loadConfig();
  const node = await createCseNode(config, {
    ...(process.env.M2MSEC_CONFIG ? { configFile: process.env.M2MSEC_CONFIG } : {}),
  });
  const { log } = node;
  // Lifecycle lines (issue 19 item 2): what starts with which configuration (no secret), ready, stop.
  lifecycle(log, undefined, 'starting', { config: configSummary(config) }, 'IN-CSE starting');
  const listeners = await node.start();
  const origin = `http://${config.http.host}:${config.http.port}`;
  if (config.profile === 'development') {
    log.warn(
      { adminOriginators: config.cse.adminOriginators, url: origin },
      '*** DEVELOPMENT PROFILE: anyone on this machine can act as administrator over plain HTTP (From: ' +
        `${config.cse.adminOriginators.join(', ')}). Never expose it; set "profile": "secure" for a deployment (docs/administration.md) ***`,
    );
  }
  // Before the ready line: a Ctrl-C sent as soon as it is read stops the CSE cleanly (exit 0), never by
  // the signal's default action.
  const shutdown = async (signal: string) => {
    lifecycle(log, undefined, 'stopping', { signal }, 'shutting down');
    await node.stop();
    lifecycle(log, undefined, 'stopped', {}, 'IN-CSE stopped');
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
  log.info(
    {
      kind: 'lifecycle',
      event: 'ready',
      url: listeners.http?.url,
      mqtt: listeners.mqtt?.url,
      profile: config.profile,
      store: config.store.kind,
      dataDir: config.dataDir,
      upperTester: config.upperTester,
    },
    'IN-CSE ready',
  );
}

main().catch((e) => {
  const message = e instanceof ConfigError ? e.message : `failed to start: ${(e as Error).message}`;
  process.stderr.write(`in-cse: ${message}\n`);
  process.exit(1);
});
