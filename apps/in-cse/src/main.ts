// The reference IN-CSE: wiring only (configuration, store, CSE core, HTTP binding, logs).
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { securePlainListener } from '@m2msec/administration';
import { StaticLocationSource } from '@m2msec/authorization';
import { createHttpBinding, HttpRequestSender } from '@m2msec/binding-http';
import { Cse } from '@m2msec/cse';
import { createLogger, Metrics, startAdminListener, timeResourceStore } from '@m2msec/observability';
import { registerContainerDefinition } from '@m2msec/protocol';
import { prepareDataDir } from '@m2msec/secure-environment';
import { openStore } from '@m2msec/store';
import { adminRouter } from './admin-router.js';
import { openAdministration } from './administration.js';
import { startCoapListener } from './coap-listener.js';
import { ConfigError, type InCseConfig, loadConfig } from './config.js';
import { requestListener } from './dispatch.js';
import { openEndToEnd } from './end-to-end.js';
import { forwardingSenders } from './forwarding.js';
import { checkSecretFiles } from './secrets-at-rest.js';
import { openSecurity } from './security.js';
import { startTlsListeners } from './tls-listeners.js';
import { upperTesterRouter } from './upper-tester.js';

async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger({ app: 'in-cse', ...config.log, base: { cseId: config.cse.cseId } });
  const metrics = new Metrics({ app: 'in-cse' });
  // Secrets at rest (docs/hardening.md): data directory 0700, no secret file readable by group or others.
  prepareDataDir(config.dataDir);
  checkSecretFiles(config, process.env.M2MSEC_CONFIG);
  const store = await openStore(
    config.store.kind === 'sqlite' ? { kind: 'sqlite', file: join(config.dataDir, 'resources.db') } : config.store,
  );
  for (const def of config.containerDefinitions ?? []) {
    try {
      registerContainerDefinition(def);
    } catch (e) {
      throw new ConfigError(`containerDefinitions '${def.cnd}': ${(e as Error).message}`);
    }
  }
  const idContext = { spId: config.cse.spId, cseId: config.cse.cseId };
  store.resources = timeResourceStore(store.resources, metrics);
  const administration = openAdministration(config, store, log, metrics);
  const { administrators } = administration;
  const security = await openSecurity(config, store, log, administrators);
  const endToEnd = openEndToEnd(config);
  const origin = `http://${config.http.host}:${config.http.port}`;
  // Secure profile: clients are pointed at the TLS listeners only (the plain one says where they are).
  const tlsPoa = [config.security.psk, config.security.certificate].flatMap((l) =>
    l ? [`https://${l.host}:${l.port}`] : [],
  );
  const poa = config.profile === 'secure' || !config.http.enabled ? tlsPoa : [origin];
  const cse = await Cse.open({
    store,
    log,
    senders: [new HttpRequestSender()],
    appRules: config.registration.appRules,
    config: {
      ...config.cse,
      cseType: 1,
      poa,
      ...(config.notifications ? { notifications: config.notifications } : {}),
      ...(endToEnd.e2eSecInfo ? { e2eSecInfo: endToEnd.e2eSecInfo } : {}),
    },
    retargetSendersFor: forwardingSenders(config),
    authenticate: security.authenticate,
    authorization: authorizationOptions(config),
    onAeDeregistration: (aei) => security.deregisterAe(aei),
    // TS-0003 6.2.3: administrators are principals whose credential the association proved (and, in the
    // development profile only, the adminOriginators on the loopback-only plain listener).
    isAdministrator: (originator, transport) => administrators.administratorOf(originator, transport) !== undefined,
    reservedIds: administrators.principals().map((p) => p.originator),
    // TS-0003 7.2.2: rq_authn for an originator ESPrim proved, even when another CSE relayed the request.
    ...(endToEnd.endToEndAuthenticated ? { endToEndAuthenticated: endToEnd.endToEndAuthenticated } : {}),
  });
  const handler = security.wrapHandler(endToEnd.wrap(cse.handle));
  const plainHandler =
    config.profile === 'secure'
      ? securePlainListener({
          idContext,
          cseBase: { rn: config.cse.cseBaseName, cst: 1, srv: cse.config.supportedReleaseVersions, poa },
        })
      : handler;
  const binding = createHttpBinding({
    handler: administration.audited(plainHandler, 'http'),
    cseId: config.cse.cseId,
    cseBaseName: config.cse.cseBaseName,
    spId: config.cse.spId,
    maxBodyBytes: config.http.maxBodyBytes,
    trustedProxies: config.http.trustedProxies,
    logger: ({ level, message, rqi, error }) => log[level]({ rqi, err: (error as Error)?.name }, message),
  });
  const admin = adminRouter(security, administration, idContext, log);
  const extras = config.upperTester ? [upperTesterRouter(cse, log), admin] : [admin];
  // TLS listeners first (their CRLs load before they open): once the plain listener answers, they serve.
  const tlsListeners = await startTlsListeners(config, security, handler, admin, administration, log);
  for (const l of tlsListeners) log.info({ url: l.url, framework: l.framework }, 'TLS listener ready');
  // A DTLS certificate session is checked against the same CRLs as the HTTPS certificate listener.
  const revocation = tlsListeners.find((l) => l.revocation)?.revocation;
  const coapCse = {
    spId: config.cse.spId,
    cseId: config.cse.cseId,
    ...(config.security.certificate ? { certificate: config.security.certificate } : {}),
    ...(revocation ? { revocation } : {}),
  };
  const coap = config.coap
    ? await startCoapListener(config.coap, coapCse, security, handler, administration, log)
    : undefined;
  if (coap) log.info({ url: coap.url }, 'CoAP/DTLS listener ready');
  const server = config.http.enabled
    ? createServer(requestListener(binding, extras, (m, f) => log.warn(f, m)))
    : undefined;
  if (server) {
    server.listen(config.http.port, config.http.host);
    server.keepAliveTimeout = 65_000;
    await new Promise<void>((resolve, reject) => {
      server.once('listening', resolve);
      server.once('error', reject);
    });
  }
  cse.start();
  // /metrics, /healthz, /readyz on their own loopback port (packages/observability).
  const opsListener = config.opsListener
    ? await startAdminListener({
        ...config.opsListener,
        metrics,
        checks: { store: () => store.resources.get('readyz'), secureEnvironment: () => security.se.describe() },
      })
    : undefined;
  if (opsListener) log.info({ url: opsListener.url }, 'operations listener ready (/metrics, /healthz, /readyz)');
  if (config.profile === 'development') {
    log.warn(
      { adminOriginators: config.cse.adminOriginators, url: origin },
      '*** DEVELOPMENT PROFILE: anyone on this machine can act as administrator over plain HTTP (From: ' +
        `${config.cse.adminOriginators.join(', ')}). Never expose it; set "profile": "secure" for a deployment (docs/administration.md) ***`,
    );
  }
  log.info(
    {
      url: server ? origin : undefined,
      profile: config.profile,
      store: config.store.kind,
      dataDir: config.dataDir,
      upperTester: config.upperTester,
    },
    'IN-CSE ready',
  );

  const shutdown = async (signal: string) => {
    log.info({ signal }, 'shutting down');
    await opsListener?.close();
    await cse.stop();
    if (server) {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
    }
    await coap?.binding.close();
    for (const l of tlsListeners) {
      l.close?.();
      l.server.close();
      l.server.closeAllConnections();
    }
    await security.close();
    await store.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}

/** Keys from JWKs, the static location map as the source of rq_loc (docs/authorization.md). */
function authorizationOptions(config: InCseConfig) {
  const a = config.authorization;
  const idContext = { spId: config.cse.spId, cseId: config.cse.cseId };
  const jwk = (k: Record<string, unknown>, what: string, priv: boolean) => {
    try {
      return priv
        ? createPrivateKey({ key: k as never, format: 'jwk' })
        : createPublicKey({ key: k as never, format: 'jwk' });
    } catch (e) {
      throw new ConfigError(`${what} is not a valid JWK: ${(e as Error).message}`);
    }
  };
  let locationSource: StaticLocationSource;
  try {
    locationSource = new StaticLocationSource(a.locations, idContext);
  } catch (e) {
    throw new ConfigError(`authorization.locations: ${(e as Error).message}`);
  }
  return {
    locationSource,
    tokenIssuers: a.tokenIssuers.map((i, n) => ({
      id: i.id,
      algorithms: i.algorithms,
      keys: i.keys.map((k, m) => jwk(k, `authorization.tokenIssuers[${n}].keys[${m}]`, false)),
    })),
    ...(a.tokenDecryption
      ? {
          tokenDecryption: {
            keys: [jwk(a.tokenDecryption.key, 'authorization.tokenDecryption.key', true)],
            keyManagementAlgorithms: a.tokenDecryption.keyManagementAlgorithms,
            contentEncryptionAlgorithms: a.tokenDecryption.contentEncryptionAlgorithms,
          },
        }
      : {}),
    roleIssuers: a.roleIssuers,
    dynamicGrantLifetimeMs: a.dynamicGrantLifetimeMs,
  };
}

main().catch((e) => {
  const message = e instanceof ConfigError ? e.message : `failed to start: ${(e as Error).message}`;
  process.stderr.write(`in-cse: ${message}\n`);
  process.exit(1);
});
