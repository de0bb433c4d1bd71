#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { httpEdge } from '@m2msec/binding-http';
import { startMaf } from '@m2msec/maf';
// The reference MAF process: configuration, SE keystore and store in the data directory, then startMaf
// (packages/maf). Prints one JSON line {"msg":"MAF ready","urls":...}.
import { serveRoleOverMqtt } from '@m2msec/node';
import { answerHelpAndVersion } from '@m2msec/node/cli';
import { configSummary, Metrics, startAdminListener } from '@m2msec/observability';
import {
  checkSecretFileMode,
  openSoftwareSecureEnvironment,
  prepareDataDir,
  resolveKekSource,
} from '@m2msec/secure-environment';
import { openStore } from '@m2msec/store';
import { ConfigError, loadConfig, type MafConfig, secretFilesOf } from './config.js';

// --help / --version answer before anything is read or opened (issue 19).
answerHelpAndVersion({
  name: 'm2msec-maf',
  packageJson: new URL('../package.json', import.meta.url),
  summary: 'the reference M2M Authentication Function (MAF, TS-0003 8.8)',
  usage: ['[options]'],
  details:
    'Configuration: the JSON file named by M2MSEC_MAF_CONFIG, then M2MSEC_MAF_* environment overrides.\nSee apps/maf/README.md.',
});

function logger(level: MafConfig['log']['level']) {
  const line = (lvl: string, msg: string, fields?: Record<string, unknown>) =>
    process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), level: lvl, msg, ...fields })}\n`);
  return {
    info: (m: string, f?: Record<string, unknown>) => level === 'info' && line('info', m, f),
    warn: (m: string, f?: Record<string, unknown>) => level !== 'silent' && line('warn', m, f),
    ready: (m: string, f?: Record<string, unknown>) => line('info', m, f),
  };
}

async function main(): Promise<void> {
  const config = loadConfig();
  const metrics = new Metrics({ app: 'maf' });
  const plain = logger(config.log.level);
  // Refused handshakes counted for /metrics (packages/observability).
  const log = {
    ...plain,
    info: (m: string, f?: Record<string, unknown>) => {
      if (m === 'MAF Handshake failed') metrics.handshakes.inc({ framework: 'maf', outcome: 'refused' });
      return plain.info(m, f);
    },
  };
  // Secrets at rest (docs/hardening.md): data directory 0700, secret files owner-only, KEK source.
  prepareDataDir(config.dataDir);
  for (const [path, what] of secretFilesOf(config)) checkSecretFileMode(path, what);
  const kekSource = resolveKekSource({
    dataDir: config.dataDir,
    ...(config.keystoreKeyFile ? { keyFile: config.keystoreKeyFile } : {}),
    allowInsideDataDir: config.kekInDataDir ?? true,
  });
  if (kekSource.kind === 'file' && kekSource.insideDataDir) {
    log.warn('the keystore key-encryption key lies inside the data directory it protects (development only)', {
      keyFile: kekSource.keyFile,
    });
  }
  const se = await openSoftwareSecureEnvironment({
    path: join(config.dataDir, 'keystore.json'),
    ...(kekSource.kind === 'env' ? { kek: kekSource.kek } : { keyFile: kekSource.keyFile }),
  });
  const store = await openStore(
    config.store.kind === 'sqlite' ? { kind: 'sqlite', file: join(config.dataDir, 'maf.db') } : config.store,
  );
  const token = config.admin.token ?? readFileSync(config.admin.tokenFile!, 'utf8').trim();
  const file = (f: string) => readFileSync(f);
  const mefKey = config.mef ? Buffer.from(readFileSync(config.mef.keyFile, 'utf8').trim(), 'hex') : undefined;
  if (mefKey && mefKey.length < 16) throw new ConfigError('mef.keyFile must hold at least 16 bytes of hex');
  const maf = await startMaf({
    edge: httpEdge,
    fqdn: config.fqdn,
    store,
    se,
    ...(config.psk ? { psk: config.psk } : {}),
    ...(config.certificate
      ? {
          certificate: {
            ...config.certificate,
            cert: file(config.certificate.cert),
            key: file(config.certificate.key),
            trustAnchors: config.certificate.trustAnchors.map(file),
          },
        }
      : {}),
    admin: { host: config.admin.host, port: config.admin.port, token },
    ...(config.mef && mefKey
      ? {
          mef: {
            url: config.mef.url,
            fqdn: config.mef.fqdn,
            credential: { kind: 'psk' as const, kpmId: config.mef.pskIdentity, kpm: mefKey },
            ...(config.mef.targetId ? { targetId: config.mef.targetId } : {}),
          },
        }
      : {}),
    notificationTimeoutMs: config.notificationTimeoutMs,
    ...(config.mqtt ? { mqtt: { spId: config.mqtt.spId } } : {}),
    log,
  });
  // The Mmaf procedures over MQTT too (docs/maf.md): the broker proves each client's originator.
  const mqtt = config.mqtt
    ? await serveRoleOverMqtt(maf.mqttRoutes!, config.mqtt, {
        log: (level, m, f) => (level === 'info' ? log.info(m, f) : log.warn(m, { ...f, level })),
      })
    : undefined;
  const ops = config.opsListener
    ? await startAdminListener({
        ...config.opsListener,
        metrics,
        checks: { store: () => store.resources.get('readyz'), secureEnvironment: () => se.describe() },
      })
    : undefined;
  log.ready('MAF ready', {
    kind: 'lifecycle',
    event: 'ready',
    config: configSummary(config),
    fqdn: config.fqdn,
    urls: { ...maf.urls, ...(config.mqtt ? { mqtt: config.mqtt.url } : {}) },
    store: config.store.kind,
    ops: ops?.url,
  });
  const shutdown = async (signal: string) => {
    log.ready('shutting down', { kind: 'lifecycle', event: 'stopping', signal });
    await ops?.close();
    await mqtt?.close();
    await maf.close();
    await store.close();
    await se.close();
    log.ready('MAF stopped', { kind: 'lifecycle', event: 'stopped' });
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((e) => {
  const message = e instanceof ConfigError ? e.message : `failed to start: ${(e as Error).message}`;
  process.stderr.write(`maf: ${message}\n`);
  process.exit(1);
});
