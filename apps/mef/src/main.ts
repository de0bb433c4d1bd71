#!/usr/bin/env node
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
// The reference MEF process: configuration, SE keystore and store in the data directory, EST CA on
// first start, then startMef (packages/mef). Prints one JSON line {"msg":"MEF ready","urls":...}.
import { httpEdge } from '@m2msec/binding-http';
import {
  collectionReplayGuard,
  confirmedKeyStore,
  DskppServer,
  MemoryClientRegistry,
  type ProvisionedKeyRecord,
} from '@m2msec/dskpp';
import { type CertificateAuthority, createCertificateAuthority, openCertificateAuthority } from '@m2msec/est';
import { type MefGbaOptions, startMef } from '@m2msec/mef';
// The reference MEF process: configuration, SE keystore and store in the data directory, EST CA on
// first start, then startMef (packages/mef). Prints one JSON line {"msg":"MEF ready","urls":...}.
import { serveRoleOverMqtt } from '@m2msec/node';
import { answerHelpAndVersion } from '@m2msec/node/cli';
import { configSummary, Metrics, startAdminListener } from '@m2msec/observability';
import {
  checkSecretFileMode,
  openSealedVault,
  openSoftwareSecureEnvironment,
  prepareDataDir,
  resolveKekSource,
  type SecureEnvironment,
} from '@m2msec/secure-environment';
import { openStore } from '@m2msec/store';
import { ConfigError, loadConfig, type MefConfig, secretFilesOf } from './config.js';

// --help / --version answer before anything is read or opened (issue 19).
answerHelpAndVersion({
  name: 'm2msec-mef',
  packageJson: new URL('../package.json', import.meta.url),
  summary: 'the reference M2M Enrolment Function (MEF, TS-0003 8.3): RSPF, EST, DSKPP, GBA BSF',
  usage: ['[options]'],
  details:
    'Configuration: the JSON file named by M2MSEC_MEF_CONFIG, then environment overrides. See apps/mef/README.md.',
});

const EST_CA_KEY = 'mef/est-ca';

function logger(level: MefConfig['log']['level']) {
  const line = (lvl: string, msg: string, fields?: Record<string, unknown>) =>
    process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), level: lvl, msg, ...fields })}\n`);
  return {
    info: (m: string, f?: Record<string, unknown>) => level === 'info' && line('info', m, f),
    warn: (m: string, f?: Record<string, unknown>) => level !== 'silent' && line('warn', m, f),
    ready: (m: string, f?: Record<string, unknown>) => line('info', m, f),
  };
}

/** The MEF's own log events, counted for /metrics (packages/observability). */
function counted(log: ReturnType<typeof logger>, metrics: Metrics): ReturnType<typeof logger> {
  return {
    ...log,
    info: (m, f) => {
      if (m === 'enrolment complete') metrics.enrolments.inc({ framework: 'rspf', outcome: 'ok' });
      if (m === 'MEF Handshake failed') metrics.handshakes.inc({ framework: 'mef', outcome: 'refused' });
      return log.info(m, f);
    },
  };
}

async function estCa(se: SecureEnvironment, config: MefConfig): Promise<CertificateAuthority> {
  const certFile = join(config.dataDir, 'est-ca.der');
  if (existsSync(certFile) && (await se.getKey(EST_CA_KEY))) {
    return openCertificateAuthority({ se, key: EST_CA_KEY, certificate: readFileSync(certFile) });
  }
  const ca = await createCertificateAuthority({ se, keyId: EST_CA_KEY, subject: config.est.caSubject });
  writeFileSync(certFile, ca.certificate);
  return ca;
}

async function main(): Promise<void> {
  const config = loadConfig();
  const metrics = new Metrics({ app: 'mef' });
  const log = counted(logger(config.log.level), metrics);
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
    config.store.kind === 'sqlite' ? { kind: 'sqlite', file: join(config.dataDir, 'mef.db') } : config.store,
  );
  const token = config.admin.token ?? readFileSync(config.admin.tokenFile!, 'utf8').trim();
  const ca = config.est.enabled ? await estCa(se, config) : undefined;
  const kek = config.kekFile ? Buffer.from(readFileSync(config.kekFile, 'utf8').trim(), 'hex') : undefined;
  // DSKPP keys (docs/dskpp.md section 3): recorded sealed at the final pass, imported into the SE only when the
  // device confirms it holds the key; unconfirmed ones are swept after dskpp.confirmationTimeoutSeconds.
  const dskppKeys = config.dskpp
    ? confirmedKeyStore({
        se,
        records: store.collection<ProvisionedKeyRecord>('dskpp-keys'),
        vault: await openSealedVault(se, {
          kekId: 'mef/dskpp-vault',
          label: 'DSKPP key vault key',
          ...(kek ? { kek } : {}),
        }),
      })
    : undefined;
  const dskppTimeoutMs = (config.dskpp?.confirmationTimeoutSeconds ?? 3600) * 1000;
  let dskppSweep: NodeJS.Timeout | undefined;
  if (dskppKeys) {
    const sweep = () =>
      dskppKeys.sweep(dskppTimeoutMs).then(
        (n) => n > 0 && log.info('unconfirmed DSKPP keys removed', { count: n }),
        (e: unknown) => log.warn('DSKPP key sweep failed', { error: e instanceof Error ? e.message : String(e) }),
      );
    await sweep();
    dskppSweep = setInterval(sweep, Math.min(dskppTimeoutMs / 2, 60_000));
    dskppSweep.unref();
  }
  const dskpp = config.dskpp
    ? new DskppServer({
        serverUrl: `https://${config.fqdn}/dskpp`,
        serverId: config.fqdn,
        ...(config.dskpp.stateKeyFile
          ? {
              mode: 'stateless' as const,
              stateKeys: [{ id: 1, key: Buffer.from(readFileSync(config.dskpp.stateKeyFile, 'utf8').trim(), 'hex') }],
              replayGuard: collectionReplayGuard(store), // indexed by expiry: prune reads only expired claims
            }
          : { mode: 'stateful' as const }),
        ...(config.dskpp.publicKey
          ? {
              publicKeyTransport: {
                certificate: readFileSync(config.dskpp.publicKey.cert, 'utf8'),
                privateKey: readFileSync(config.dskpp.publicKey.key, 'utf8'),
              },
            }
          : {}),
        keys: dskppKeys!,
        clients: new MemoryClientRegistry(
          config.dskpp.clients.map((c) => ({
            clientId: c.clientId,
            authenticationCode: Buffer.from(c.authenticationCodeHex, 'hex'),
            sharedKey: { name: c.sharedKeyName, key: Buffer.from(c.sharedKeyHex, 'hex') },
            ...(c.device ? { device: c.device } : {}),
          })),
        ),
      })
    : undefined;
  const file = (f: string) => readFileSync(f);
  const mef = await startMef({
    edge: httpEdge,
    fqdn: config.fqdn,
    store,
    se,
    ...(kek ? { kek } : {}),
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
    ...(config.user ? { user: { ...config.user, cert: file(config.user.cert), key: file(config.user.key) } } : {}),
    admin: { host: config.admin.host, port: config.admin.port, token },
    ...(ca
      ? {
          ca,
          channelBinding: config.est.channelBinding,
          est: {
            ...(config.est.validitySeconds !== undefined ? { validitySeconds: config.est.validitySeconds } : {}),
            ...(config.est.crlDistributionPoints ? { crlDistributionPoints: config.est.crlDistributionPoints } : {}),
            ...(config.est.crlNextUpdateSeconds !== undefined
              ? { crlNextUpdateSeconds: config.est.crlNextUpdateSeconds }
              : {}),
          },
        }
      : {}),
    ...(config.crl ? { crl: config.crl } : {}),
    ...(dskpp ? { dskpp } : {}),
    ...(config.gba ? { gba: gbaOptions(config.gba) } : {}),
    notifyTargets: config.notifyTargets,
    ...(config.mqtt ? { mqtt: { spId: config.mqtt.spId } } : {}),
    log,
  });
  // The Mmef procedures over MQTT too (docs/mef.md): the broker proves each client's originator.
  const mqtt = config.mqtt
    ? await serveRoleOverMqtt(mef.mqttRoutes!, config.mqtt, {
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
  log.ready('MEF ready', {
    kind: 'lifecycle',
    event: 'ready',
    config: configSummary(config),
    fqdn: config.fqdn,
    urls: { ...mef.urls, ...(config.mqtt ? { mqtt: config.mqtt.url } : {}) },
    store: config.store.kind,
    ops: ops?.url,
  });
  const shutdown = async (signal: string) => {
    log.ready('shutting down', { kind: 'lifecycle', event: 'stopping', signal });
    clearInterval(dskppSweep);
    await ops?.close();
    await mqtt?.close();
    await mef.close();
    await store.close();
    await se.close();
    log.ready('MEF stopped', { kind: 'lifecycle', event: 'stopped' });
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}

/** File contents for the GBA listeners; NAF credentials are read from their files (never in the config). */
function gbaOptions(g: NonNullable<MefConfig['gba']>): MefGbaOptions {
  return {
    bsfDomain: g.bsfDomain,
    ...(g.realm !== undefined ? { realm: g.realm } : {}),
    ...(g.keyLifetimeSeconds !== undefined ? { keyLifetimeSeconds: g.keyLifetimeSeconds } : {}),
    ...(g.est ? { est: { host: g.est.host, port: g.est.port } } : {}),
    ub: {
      host: g.ub.host,
      port: g.ub.port,
      ...(g.ub.cert && g.ub.key ? { cert: readFileSync(g.ub.cert), key: readFileSync(g.ub.key) } : {}),
    },
    zn: {
      host: g.zn.host,
      port: g.zn.port,
      cert: readFileSync(g.zn.cert),
      key: readFileSync(g.zn.key),
      nafCredentials: (g.zn.nafCredentials ?? []).map((c) => ({
        nafFqdn: c.nafFqdn,
        credential: readFileSync(c.credentialFile, 'utf8').trim(),
      })),
      nafTrustAnchors: (g.zn.nafTrustAnchors ?? []).map((f) => readFileSync(f)),
    },
  };
}

main().catch((e) => {
  const message = e instanceof ConfigError ? e.message : `failed to start: ${(e as Error).message}`;
  process.stderr.write(`mef: ${message}\n`);
  process.exit(1);
});
