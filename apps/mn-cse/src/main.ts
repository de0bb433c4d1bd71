#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Administrators } from '@m2msec/administration';
// The MN-CSE process: configuration, an express server carrying the oneM2M HTTP binding, and
// createMnCse for everything else. Wiring only.
import { HttpRequestSender, httpErrorEdge, httpNotFound } from '@m2msec/binding-http';
import {
  createSwitchableAgent,
  DeviceSecurityConfig,
  frameworkOf,
  persistCredentialFiles,
  persistedTrustAnchors,
  watchConfiguration,
} from '@m2msec/device-config';
import {
  type CoapListenerOptions,
  createMnCse,
  MAF_KEY_NOTIFICATION_PATH,
  type MnCseOptions,
  type MqttOptions,
} from '@m2msec/node';
import { answerHelpAndVersion } from '@m2msec/node/cli';
import { configSummary, createLogger, lifecycle, Metrics, startAdminListener } from '@m2msec/observability';
import type { SaefClientFramework } from '@m2msec/saef';
import { checkSecretFileMode, prepareDataDir } from '@m2msec/secure-environment';
import express from 'express';
import { ConfigError, loadConfig, type MnCseFileConfig } from './config.js';

// --help / --version answer before anything is read or opened (issue 19).
answerHelpAndVersion({
  name: 'm2msec-mn-cse',
  packageJson: new URL('../package.json', import.meta.url),
  summary: 'the reference MN-CSE: registers to its IN-CSE over a SAEF association',
  usage: ['[options]'],
  details:
    'Configuration: defaults, then the JSON file named by M2MSEC_CONFIG, then environment overrides.\nSee apps/mn-cse/README.md. Credentials: node dist/credentials.js --help.',
});

/** A pairwiseESPrimKey file: base64 of the key (whitespace ignored), at least 128 bits. */
function e2eKeyFromFile(path: string, kid: string): Uint8Array {
  const text = readFileSync(path, 'utf8').replace(/\s+/g, '');
  const key = /^[A-Za-z0-9+/_-]+={0,2}$/.test(text) ? Buffer.from(text, 'base64') : Buffer.alloc(0);
  if (key.length < 16)
    throw new ConfigError(`endToEnd.esprim key '${kid}': its keyFile must hold the base64 of at least 16 bytes`);
  return key;
}

/** The configuration's endToEnd section as createMnCse takes it: the key files read here. */
function endToEndOptions(e: NonNullable<MnCseFileConfig['endToEnd']>): NonNullable<MnCseOptions['endToEnd']> {
  const { keys, randLifetimeSeconds, mefProvisioned, mafDistributed } = e.esprim;
  return {
    esprim: {
      keys: keys.map((k) => ({ kid: k.kid, identity: k.identity, key: e2eKeyFromFile(k.keyFile, k.kid) })),
      ...(randLifetimeSeconds ? { randLifetimeMs: randLifetimeSeconds * 1000 } : {}),
      ...(mefProvisioned ? { mefProvisioned } : {}),
      ...(mafDistributed ? { mafDistributed } : {}),
    },
    ...(e.escertke ? { escertke: e.escertke } : {}),
  };
}

function keyFromFile(path: string, what: string): Uint8Array {
  const text = readFileSync(path, 'utf8').trim();
  if (!/^([0-9a-fA-F]{2}){16,64}$/.test(text)) throw new ConfigError(`${what} must hold 16 to 64 bytes of hex`);
  return Buffer.from(text, 'hex');
}

/**
 * Every file the configuration names that holds a private key or a PSK; and the configuration file itself
 * when mcc.key is given inline as PEM.
 */
function secretFilesOf(c: MnCseFileConfig, configFile?: string): Array<[path: string, what: string]> {
  const files: Array<[string, string]> = [];
  const inline = (v: string) => v.includes('-----BEGIN');
  if (c.registrar.certificate) files.push([c.registrar.certificate.key, 'private key (registrar.certificate.key)']);
  if (c.registrar.psk) files.push([c.registrar.psk.keyFile, 'PSK file (registrar.psk.keyFile)']);
  if (c.mqtt?.key) files.push([c.mqtt.key, 'private key (mqtt.key)']);
  if (c.mqtt?.psk) files.push([c.mqtt.psk.keyFile, 'PSK file (mqtt.psk.keyFile)']);
  for (const [i, p] of (c.coap?.psk ?? []).entries()) files.push([p.keyFile, `PSK file (coap.psk[${i}].keyFile)`]);
  for (const k of c.endToEnd?.esprim.keys ?? [])
    files.push([k.keyFile, `pairwiseESPrimKey file for ${k.kid} (endToEnd.esprim.keys)`]);
  if (c.endToEnd?.escertke) files.push([c.endToEnd.escertke.key, 'ESCertKE private key (endToEnd.escertke.key)']);
  if (c.mcc && !inline(c.mcc.key)) files.push([c.mcc.key, 'private key (mcc.key)']);
  if (c.mcc && inline(c.mcc.key) && configFile) files.push([configFile, 'configuration file holding mcc.key inline']);
  return files;
}

function registrarFramework(r: MnCseFileConfig['registrar']): SaefClientFramework | undefined {
  if (r.certificate) {
    return {
      kind: 'certificate',
      cert: readFileSync(r.certificate.cert),
      key: readFileSync(r.certificate.key),
      trustAnchors: r.certificate.trustAnchors.map((f) => readFileSync(f)),
      servername: r.certificate.servername,
    };
  }
  if (r.psk) {
    return {
      kind: 'psk',
      identity: r.psk.identity,
      key: keyFromFile(r.psk.keyFile, 'registrar.psk.keyFile'),
      ...(r.psk.servername ? { servername: r.psk.servername } : {}),
    };
  }
  return undefined;
}

function mqttOptions(m: NonNullable<MnCseFileConfig['mqtt']>): MqttOptions {
  return {
    url: m.url,
    ...(m.failover?.length ? { failover: m.failover } : {}),
    tls: {
      ...(m.ca ? { ca: readFileSync(m.ca, 'utf8') } : {}),
      ...(m.cert ? { cert: readFileSync(m.cert, 'utf8') } : {}),
      ...(m.key ? { key: readFileSync(m.key, 'utf8') } : {}),
      ...(m.servername ? { servername: m.servername } : {}),
      ...(m.psk ? { psk: { identity: m.psk.identity, key: keyFromFile(m.psk.keyFile, 'mqtt.psk.keyFile') } } : {}),
    },
  };
}

function coapOptions(c: NonNullable<MnCseFileConfig['coap']>): CoapListenerOptions {
  return {
    host: c.host,
    port: c.port,
    ...(c.responseOptions ? { responseOptions: c.responseOptions } : {}),
    psk: c.psk.map((p, i) => ({
      identity: p.identity,
      key: keyFromFile(p.keyFile, `coap.psk[${i}].keyFile`),
      boundIds: p.bind ?? [],
    })),
  };
}

/** The node's side of remote security configuration, on the registrar's certificate credential. */
function deviceSecurityConfig(
  config: MnCseFileConfig,
  f: SaefClientFramework,
  log: ReturnType<typeof createLogger>,
): DeviceSecurityConfig {
  if (f.kind !== 'certificate' || !config.deviceConfig || !config.registrar.certificate) throw new Error('unreachable');
  const files = config.registrar.certificate;
  const trustAnchorsFile = join(config.dataDir, 'device-config-trust-anchors.pem');
  const own = f.trustAnchors.map(String);
  const trustAnchors = [...own, ...persistedTrustAnchors(trustAnchorsFile).filter((p) => !own.includes(p))];
  const credential = { chain: String(f.cert), key: String(f.key), trustAnchors, servername: f.servername };
  const agent = createSwitchableAgent(frameworkOf(credential));
  return new DeviceSecurityConfig({
    sender: new HttpRequestSender({ httpsAgent: agent.agent, timeoutMs: config.requestTimeoutMs }),
    poa: config.registrar.url,
    originator: config.cse.cseId,
    hostingCseId: config.registrar.cseId,
    node: config.deviceConfig.node,
    credential,
    agent,
    pollMs: (config.deviceConfig.pollSeconds ?? 10) * 1000,
    ...(config.deviceConfig.hosts ? { resolve: config.deviceConfig.hosts } : {}),
    persist: persistCredentialFiles({ cert: files.cert, key: files.key, trustAnchors: trustAnchorsFile }),
    log: (level, message, fields) => log[level](fields, message),
  });
}

/**
 * Remote security configuration once this CSE is registered (its <node> is read, and its <subscription>s
 * made, as this CSE): push with a slow poll beside it, or polling alone (docs/remote-security-config.md).
 */
async function watchOnceRegistered(
  mn: { whenRegistered(timeoutMs?: number): Promise<void> },
  device: DeviceSecurityConfig,
  dc: NonNullable<MnCseFileConfig['deviceConfig']>,
  log: ReturnType<typeof createLogger>,
): Promise<void> {
  for (;;) {
    try {
      await mn.whenRegistered(60_000);
      break;
    } catch {
      log.warn({}, 'remote security configuration waits for the registration');
    }
  }
  const watching = await watchConfiguration(device, {
    pollMs: (dc.pollSeconds ?? 10) * 1000,
    ...(dc.push
      ? {
          push: { host: dc.push.host ?? '127.0.0.1', port: dc.push.port },
          fallbackPollMs: (dc.push.fallbackPollSeconds ?? 3600) * 1000,
        }
      : {}),
    onError: (e) => log.warn({ error: e.message }, 'remote security configuration: first round failed'),
  });
  log[watching.reason ? 'warn' : 'info'](watching, `remote security configuration by ${watching.channel}`);
}

/** The administrator principals of the configuration, and the development allowance. */
function administratorsOf(config: MnCseFileConfig): Administrators {
  try {
    return new Administrators({
      idContext: { spId: config.cse.spId, cseId: config.cse.cseId },
      principals: config.administrators.map((a) => ({
        name: a.name,
        originator: a.originator,
        credential: a.credentialId
          ? { credentialId: a.credentialId }
          : a.certificateSan
            ? { certificateSan: a.certificateSan }
            : { certificateFingerprint256: a.certificateFingerprint256! },
      })),
      plainLoopbackOriginators: config.profile === 'development' ? config.cse.adminOriginators : [],
      otherReservedIds: config.cse.adminOriginators,
    });
  } catch (e) {
    throw new ConfigError(`administrators: ${(e as Error).message}`);
  }
}

/** The SAEFs offered to AEs (config.security): the IN-CSE's keys; MAF keys are announced on the plain listener. */
function securityOptions(config: MnCseFileConfig, origin: string): Pick<MnCseOptions, 'dataDir' | 'security'> {
  const s = config.security;
  if (!s) return {};
  return {
    dataDir: config.dataDir,
    security: {
      ...s,
      // As the IN-CSE: the KEK inside the data directory is a development convenience only.
      kekInDataDir: s.kekInDataDir ?? config.profile !== 'secure',
      ...(s.maf
        ? { maf: { ...s.maf, notificationUrl: s.maf.notificationUrl ?? `${origin}${MAF_KEY_NOTIFICATION_PATH}` } }
        : {}),
    },
  };
}

async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger({ app: 'mn-cse', ...config.log, base: { cseId: config.cse.cseId } });
  // Secrets at rest (docs/hardening.md): data directory 0700, no key file readable by group or others.
  prepareDataDir(config.dataDir);
  for (const [path, what] of secretFilesOf(config, process.env.M2MSEC_CONFIG)) checkSecretFileMode(path, what);
  const origin = `http://${config.http.host}:${config.http.port}`;
  const framework = registrarFramework(config.registrar);
  if (!framework) log.warn({}, 'registrar over plain HTTP without a security association (lab setting)');
  const administrators = administratorsOf(config);
  // Remote security configuration (docs/remote-security-config.md): Mcc on an agent whose credential switches.
  const device = config.deviceConfig && framework ? deviceSecurityConfig(config, framework, log) : undefined;
  const mn = await createMnCse({
    ...config.cse,
    // TS-0003 6.2.3: administrators are principals whose credential an association proved (and, in the
    // development profile only, the adminOriginators on the loopback-only plain listener).
    isAdministrator: (originator, transport) => administrators.administratorOf(originator, transport) !== undefined,
    store:
      config.store.kind === 'sqlite' ? { kind: 'sqlite', file: join(config.dataDir, 'resources.db') } : config.store,
    poa: config.poa ?? [origin],
    ...(config.notifications ? { notifications: config.notifications } : {}),
    registrar: {
      cseId: config.registrar.cseId,
      cseBaseName: config.registrar.cseBaseName,
      url: config.registrar.url,
      retryMs: config.registrar.retryMs,
      refreshMs: config.registrar.refreshMs,
      ...(framework ? { framework } : { plainHttp: true }),
      ...(device ? { httpsAgent: device.agent.agent } : {}),
    },
    ...(config.mqtt ? { mqtt: mqttOptions(config.mqtt) } : {}),
    ...(config.mcc ? { mcc: config.mcc } : {}),
    ...(config.coap ? { coap: coapOptions(config.coap) } : {}),
    ...securityOptions(config, origin),
    appRules: config.registration.appRules,
    mca: config.mca,
    requestTimeoutMs: config.requestTimeoutMs,
    maxBodyBytes: config.http.maxBodyBytes,
    log,
    ...(config.endToEnd ? { endToEnd: endToEndOptions(config.endToEnd) } : {}),
    ...(config.testHooks ? { relayTestHook: { originators: config.testHooks.alterRelayedContentFrom } } : {}),
  });
  const app = express();
  app.disable('x-powered-by');
  app.get('/.well-known/m2msec/status', (_req, res) => {
    res.json({ cseId: config.cse.cseId, registration: mn.registration });
  });
  // With SAEFs configured: MAF key notifications and RSPF key announcements (as on the IN-CSE's plain listener).
  if (config.security) app.use(mn.extras);
  app.use(mn.router);
  // Never express's HTML error page (stack, paths, versions): a JSON answer (docs/hardening.md).
  app.use(httpNotFound());
  app.use(httpErrorEdge({ log: (m, f) => log.warn(f, m) }));
  const server = app.listen(config.http.port, config.http.host);
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  await mn.start();
  if (device && config.deviceConfig) void watchOnceRegistered(mn, device, config.deviceConfig, log);
  if (config.profile === 'development') {
    log.warn(
      { adminOriginators: config.cse.adminOriginators, url: origin },
      '*** DEVELOPMENT PROFILE: anyone on this machine can act as administrator over plain HTTP (From: ' +
        `${config.cse.adminOriginators.join(', ')}). Never expose it; set "profile": "secure" for a deployment (docs/administration.md) ***`,
    );
  }
  if (config.testHooks) {
    log.warn(
      { originators: config.testHooks.alterRelayedContentFrom },
      '*** TEST HOOK: requests of these originators are relayed with their Content altered ***',
    );
  }
  const ops = config.opsListener
    ? await startAdminListener({
        ...config.opsListener,
        metrics: new Metrics({ app: 'mn-cse' }),
        checks: {
          // The store answers a RETRIEVE of the CSEBase (any answer below 5000 read it).
          store: async () => {
            const r = await mn.handler(
              { op: 2, to: config.cse.cseBaseName, fr: config.cse.cseId, rqi: 'readyz', rvi: '3' },
              { binding: 'internal' },
            );
            if (r.rsc >= 5000) throw new Error(`CSEBase retrieval answered ${r.rsc}`);
          },
          registrar: async () => {
            if (mn.registration.state !== 'registered') {
              throw new Error(
                `registration ${mn.registration.state}${mn.registration.lastError ? `: ${mn.registration.lastError}` : ''}`,
              );
            }
          },
        },
      })
    : undefined;
  log.info(
    {
      kind: 'lifecycle',
      event: 'ready',
      config: configSummary(config),
      url: origin,
      registrar: config.registrar.url,
      mcc: mn.mccUrl,
      coap: mn.coapUrl,
      mqtt: config.mqtt?.url,
      ops: ops?.url,
    },
    'MN-CSE ready',
  );

  const shutdown = async (signal: string) => {
    lifecycle(log, undefined, 'stopping', { signal }, 'shutting down');
    await ops?.close();
    device?.stop();
    await mn.stop();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    lifecycle(log, undefined, 'stopped', {}, 'MN-CSE stopped');
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((e) => {
  const message = e instanceof ConfigError ? e.message : `failed to start: ${(e as Error).message}`;
  process.stderr.write(`mn-cse: ${message}\n`);
  process.exit(1);
});
