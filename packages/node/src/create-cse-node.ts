// createCseNode: the one composition of a CSE (DESIGN.md section 1). Store, security functions (SE,
// credential store, SA registry, DerivedKey / MAF / GBA / MEF key sources), the CSE core, and the
// listeners: plain HTTP, HTTPS for the PSK-based and certificate-based SAEFs (TS-0003 8.2.2), CoAP/DTLS
// (TS-0008) and the MQTT binding (TS-0010). With a registrar it is an MN-CSE that registers to it
// (TS-0001 10.2.2.6) and retargets what it does not host over that association.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { securePlainListener } from '@m2msec/administration';
import {
  applyConnectionLimits,
  createHttpBinding,
  type HttpBinding,
  HttpRequestSender,
  httpEdge,
} from '@m2msec/binding-http';
import {
  createMqttBinding,
  type MqttBinding,
  type MqttConnectOptions,
  type MqttRegistration,
  MqttRequestSender,
} from '@m2msec/binding-mqtt';
import { Cse, Registration, type RegistrationStatus, type RelayTamperOptions, tamperingRelaySender } from '@m2msec/cse';
import { createLogger, Metrics, startAdminListener, timeResourceStore } from '@m2msec/observability';
import {
  errorLogFields,
  type RequestHandler,
  type RequestSender,
  registerContainerDefinition,
  type TransportContext,
} from '@m2msec/protocol';
import { createSaefAgent } from '@m2msec/saef';
import { prepareDataDir, type SecureEnvironment } from '@m2msec/secure-environment';
import { installReadCache, openStore, type Store } from '@m2msec/store';
import type { Logger } from 'pino';
import { adminRoutes, adminTransportOf } from './admin-routes.js';
import { openAdministration } from './administration.js';
import { authorizationOptions } from './authorization-options.js';
import { startCoapListener } from './coap-listener.js';
import { ConfigError, type InCseConfig } from './config.js';
import { DeferredSender } from './deferred-sender.js';
import { extraPathPrefixes, requestListener } from './dispatch.js';
import { type EndToEnd, type EndToEndInline, openEndToEnd } from './end-to-end.js';
import { forwardingSenders } from './forwarding.js';
import type { RegistrarOptions } from './mn-cse-options.js';
import { mqttConnectOptions } from './mqtt-options.js';
import { checkSecretFiles } from './secrets-at-rest.js';
import { type InCseSecurity, openSecurity } from './security.js';
import { startTlsListeners, type TlsListener } from './tls-listeners.js';
import { upperTesterRoutes } from './upper-tester-routes.js';

/**
 * A node's configuration: the IN-CSE file configuration (config.ts, validated by loadConfig), and for an
 * MN-CSE the registrar with the SAEF credential this node presents to it (programmatic only).
 */
export type CseNodeConfig = InCseConfig & {
  registrar?: RegistrarOptions;
  /** Points of access advertised (<CSEBase>, registration); default: the listeners this node runs. */
  poa?: string[];
};

export interface CseNodeRuntime {
  /** Default: pino at config.log.level. */
  log?: Logger;
  /** An open store the node uses instead of opening config.store (the caller closes it). */
  store?: Store;
  /** The configuration file, checked with the secret files when it holds a private key. */
  configFile?: string;
  /** An open SE the node uses instead of the keystore in config.dataDir; stop() closes it. */
  secureEnvironment?: SecureEnvironment;
  /** End-to-end security built by the embedder instead of config.endToEnd. */
  endToEnd?: EndToEnd;
  /** With config.endToEnd: ESPrim keys held in memory (not in files) and the rand-object lifetime in ms. */
  endToEndInline?: EndToEndInline;
  /** Replaces the administrators of config.security.administrators as the CSE's privilege test. */
  isAdministrator?: (originator: string, transport: TransportContext) => boolean;
  /** MQTT connection (in memory) instead of the files config.mqtt names; config.mqtt still switches it on. */
  mqttConnect?: Omit<MqttConnectOptions, 'clientId'>;
  /** Told about AE-IDs registered over MQTT reg_req (TS-0010 7.4), e.g. to rewrite the broker ACL. */
  mqttOnRegistration?: (r: MqttRegistration) => void | Promise<void>;
  /** CRL contents (PEM / DER) of the certificate listener, besides security.certificate.crls files. */
  certificateCrls?: ReadonlyArray<string | Buffer>;
  /** Test hook (never in production): relayed requests of these originators are altered (packages/cse). */
  relayTestHook?: RelayTamperOptions;
}

/** Where a started node listens: URL and bound port of each listener it runs. */
export interface CseNodeListeners {
  http?: { url: string; port: number };
  psk?: { url: string; port: number };
  certificate?: { url: string; port: number };
  coap?: { url: string; port: number };
  /** The broker the MQTT binding is connected to. */
  mqtt?: { url: string };
}

export interface CseNode {
  readonly config: CseNodeConfig;
  readonly cse: Cse;
  /** The CSE's handler behind the security wrappers (bindings of AE-IDs, ESPrim, DerivedKey durability). */
  readonly handler: RequestHandler;
  /** The plain HTTP binding (oneM2M only): an embedder mounts `binding.router` on its own server. */
  readonly binding: HttpBinding;
  /**
   * The node's non-oneM2M paths under /.well-known/m2msec/ (MAF key notifications, RSPF key
   * announcements, the admin API) as a middleware to mount before `binding.router`; others go to next().
   */
  readonly extras: (req: IncomingMessage, res: ServerResponse, next: () => void) => void;
  readonly security: InCseSecurity;
  readonly log: Logger;
  /** The listeners once started. */
  readonly listeners: CseNodeListeners;
  /** Registration to the registrar as it stands (MN-CSE only). */
  readonly registration: Readonly<RegistrationStatus> | undefined;
  /** Opens the listeners, connects MQTT, starts the CSE and (MN-CSE) registering in the background. */
  start(): Promise<CseNodeListeners>;
  /** Resolves once registered to the registrar (MN-CSE); at once for an IN-CSE. */
  whenRegistered(timeoutMs?: number): Promise<void>;
  /** Closes every listener, the CSE, the security functions and (unless given) the store. */
  stop(): Promise<void>;
}

function checkRegistrar(r: RegistrarOptions): void {
  if (!r.framework && !r.plainHttp) {
    throw new ConfigError('registrar: a SAEF framework (credential) is required; plainHttp: true only for closed labs');
  }
  const scheme = new URL(r.url).protocol;
  if (r.framework && scheme !== 'https:') throw new ConfigError('registrar.url must be https with a SAEF framework');
  if (!r.framework && scheme !== 'http:') throw new ConfigError('registrar: plainHttp needs an http url');
}

async function listen(server: Server, port: number, host: string): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return (server.address() as AddressInfo).port;
}

export async function createCseNode(config: CseNodeConfig, runtime: CseNodeRuntime = {}): Promise<CseNode> {
  const registrar = config.registrar;
  if (registrar) checkRegistrar(registrar);
  const log =
    runtime.log ??
    createLogger({ app: registrar ? 'mn-cse' : 'in-cse', ...config.log, base: { cseId: config.cse.cseId } });
  // Secrets at rest (docs/hardening.md): data directory 0700, no secret file readable by group or others.
  prepareDataDir(config.dataDir);
  checkSecretFiles(config, runtime.configFile);
  const store =
    runtime.store ??
    (await openStore(
      config.store.kind === 'sqlite' ? { kind: 'sqlite', file: join(config.dataDir, 'resources.db') } : config.store,
    ));
  try {
    return await compose(config, runtime, store, log);
  } catch (e) {
    // Nothing half-open stays behind an error: the store this call opened is closed again.
    if (!runtime.store) await store.close().catch(() => undefined);
    throw e;
  }
}

async function compose(config: CseNodeConfig, runtime: CseNodeRuntime, store: Store, log: Logger): Promise<CseNode> {
  const registrar = config.registrar;
  for (const def of config.containerDefinitions ?? []) {
    try {
      registerContainerDefinition(def);
    } catch (e) {
      throw new ConfigError(`containerDefinitions '${def.cnd}': ${(e as Error).message}`);
    }
  }
  const idContext = { spId: config.cse.spId, cseId: config.cse.cseId };
  const metrics = new Metrics({ app: registrar ? 'mn-cse' : 'in-cse' });
  // Hot reads of the protected RETRIEVE from memory, invalidated exactly by this process's writes: only where
  // this process is the store's one writer (SQLite); replicas on PostgreSQL read the rows (docs/performance.md).
  if (store.kind === 'sqlite') installReadCache(store);
  store.resources = timeResourceStore(store.resources, metrics);
  const administration = openAdministration(config, store, log, metrics);
  const { administrators } = administration;
  const security = await openSecurity(config, store, log, administrators, runtime.secureEnvironment);
  const endToEnd =
    runtime.endToEnd ??
    (await openEndToEnd(config, security.se, log, security.maf?.client, runtime.endToEndInline ?? {}));
  const origin = `http://${config.http.host}:${config.http.port}`;
  // Secure profile: clients are pointed at the TLS listeners only (the plain one says where they are).
  const tlsPoa = [config.security.psk, config.security.certificate].flatMap((l) =>
    l ? [`https://${l.host}:${l.port}`] : [],
  );
  const poa = config.poa ?? (config.profile === 'secure' || !config.http.enabled ? tlsPoa : [origin]);
  // Mcc towards the registrar (MN-CSE): every request rides the SAEF session(s) of this agent.
  // An embedder's agent (whose credential may switch at run time: device-config) is used, never destroyed.
  const ownAgent = registrar?.framework && !registrar.httpsAgent ? createSaefAgent(registrar.framework) : undefined;
  const agent = registrar?.httpsAgent ?? ownAgent;
  const timeoutMs = config.requestTimeoutMs;
  const registrarSender = registrar
    ? new HttpRequestSender({ ...(timeoutMs ? { timeoutMs } : {}), ...(agent ? { httpsAgent: agent } : {}) })
    : undefined;
  // Notifications to AEs that listen on MQTT go through the binding's session once it is connected.
  const mqttNotifications = config.mqtt ? new DeferredSender(['mqtt', 'mqtts']) : undefined;
  const httpSender = new HttpRequestSender(timeoutMs ? { timeoutMs } : {});
  const senders: RequestSender[] = mqttNotifications ? [httpSender, mqttNotifications] : [httpSender];
  const cse = await Cse.open({
    store,
    log,
    senders,
    ...(registrarSender
      ? {
          retargetSenders: [
            runtime.relayTestHook ? tamperingRelaySender(registrarSender, runtime.relayTestHook) : registrarSender,
          ],
        }
      : {}),
    appRules: config.registration.appRules,
    config: {
      ...config.cse,
      cseType: registrar ? 2 : 1,
      poa,
      ...(registrar
        ? {
            registrarCseId: registrar.cseId,
            allowCseWithoutAssociation: config.cse.allowCseWithoutAssociation || !!registrar.plainHttp,
          }
        : {}),
      ...(timeoutMs ? { requestTimeoutMs: timeoutMs } : {}),
      ...(config.notifications ? { notifications: config.notifications } : {}),
      ...(endToEnd.e2eSecInfo ? { e2eSecInfo: endToEnd.e2eSecInfo } : {}),
    },
    retargetSendersFor: forwardingSenders(config),
    authenticate: security.authenticate,
    authorization: authorizationOptions(config),
    onAeDeregistration: (aei) => security.deregisterAe(aei),
    // TS-0003 6.2.3: administrators are principals whose credential the association proved (and, in the
    // development profile only, the adminOriginators on the loopback-only plain listener).
    isAdministrator:
      runtime.isAdministrator ??
      ((originator, transport) => administrators.administratorOf(originator, transport) !== undefined),
    reservedIds: administrators.principals().map((p) => p.originator),
    // TS-0003 7.2.2: rq_authn for an originator ESPrim proved, even when another CSE relayed the request.
    ...(endToEnd.endToEndAuthenticated ? { endToEndAuthenticated: endToEnd.endToEndAuthenticated } : {}),
  });
  metrics.observeNotificationQueue(() => cse.notificationQueueDepth);
  const handler = security.wrapHandler(endToEnd.wrap(cse.handle));
  const registration =
    registrar && registrarSender
      ? new Registration(
          cse,
          { cseId: config.cse.cseId, cseBaseName: config.cse.cseBaseName, poa, srv: ['3'] },
          registrar,
          registrarSender,
          log,
          timeoutMs ?? 5_000,
        )
      : undefined;
  const plainHandler =
    config.profile === 'secure'
      ? securePlainListener({
          idContext,
          cseBase: {
            rn: config.cse.cseBaseName,
            cst: registrar ? 2 : 1,
            srv: cse.config.supportedReleaseVersions,
            poa,
          },
        })
      : handler;
  const bindingLogger = ({
    level,
    message,
    rqi,
    error,
  }: {
    level: 'warn' | 'error' | 'info' | 'debug';
    message: string;
    rqi?: string;
    error?: unknown;
  }) => log[level]({ rqi, ...(error === undefined ? {} : errorLogFields(error)) }, message);
  const binding = createHttpBinding({
    handler: administration.audited(plainHandler, 'http'),
    cseId: config.cse.cseId,
    cseBaseName: config.cse.cseBaseName,
    spId: config.cse.spId,
    maxBodyBytes: config.http.maxBodyBytes,
    trustedProxies: config.http.trustedProxies,
    logger: bindingLogger,
  });
  const admin = adminRoutes(security, administration, idContext, log, cse);
  const extras = config.upperTester ? [...upperTesterRoutes(cse, log), ...admin] : admin;
  const extrasEdge = httpEdge(extras, {
    errorShape: 'onem2m',
    transportOf: adminTransportOf(security),
    log: (m, f) => log.warn(f, m),
  });
  const extrasMiddleware: CseNode['extras'] = (req, res, next) => {
    const url = req.url ?? '';
    if (extraPathPrefixes.some((p) => url.startsWith(p))) extrasEdge(req, res, next);
    else next();
  };

  const listeners: CseNodeListeners = {};
  let tlsListeners: TlsListener[] = [];
  let coap: Awaited<ReturnType<typeof startCoapListener>>;
  let opsListener: Awaited<ReturnType<typeof startAdminListener>> | undefined;
  let server: Server | undefined;
  let mqtt: MqttBinding | undefined;
  let mqttSender: MqttRequestSender | undefined;
  let started = false;

  return {
    config,
    cse,
    handler,
    binding,
    extras: extrasMiddleware,
    security,
    log,
    listeners,
    registration: registration?.status,
    async start() {
      if (started) throw new Error('createCseNode: already started');
      started = true;
      // TLS listeners first (their CRLs load before they open): once the plain listener answers, they serve.
      tlsListeners = await startTlsListeners(
        config,
        security,
        handler,
        admin,
        administration,
        log,
        runtime.certificateCrls,
      );
      for (const l of tlsListeners) {
        log.info({ url: l.url, framework: l.framework }, 'TLS listener ready');
        listeners[l.framework] = { url: l.url, port: (l.server.address() as AddressInfo | null)?.port ?? 0 };
        // Behind the GBA handshake gate the HTTPS server itself does not listen: the URL names the port.
        if (!listeners[l.framework]!.port) listeners[l.framework]!.port = Number(new URL(l.url).port);
      }
      // A DTLS certificate session is checked against the same CRLs as the HTTPS certificate listener.
      const revocation = tlsListeners.find((l) => l.revocation)?.revocation;
      if (config.coap) {
        coap = await startCoapListener(
          config.coap,
          {
            spId: config.cse.spId,
            cseId: config.cse.cseId,
            ...(config.security.certificate ? { certificate: config.security.certificate } : {}),
            ...(revocation ? { revocation } : {}),
          },
          security,
          handler,
          administration,
          log,
        );
      }
      if (coap) {
        log.info({ url: coap.url }, 'CoAP/DTLS listener ready');
        listeners.coap = { url: coap.url, port: Number(new URL(coap.url).port) };
      }
      if (config.mqtt) {
        mqtt = await createMqttBinding({
          handler: administration.audited(handler, 'mqtt'),
          cseId: config.cse.cseId,
          spId: config.cse.spId,
          connect: runtime.mqttConnect ?? mqttConnectOptions(config.mqtt),
          ...(config.mqtt.topicPrefix ? { topicPrefix: config.mqtt.topicPrefix } : {}),
          ...(runtime.mqttOnRegistration ? { onRegistration: runtime.mqttOnRegistration } : {}),
          logger: bindingLogger,
        });
        mqttSender = new MqttRequestSender({
          cseId: config.cse.cseId,
          connections: [mqtt.connection],
          ...(timeoutMs ? { timeoutMs } : {}),
        });
        if (mqttNotifications) mqttNotifications.inner = mqttSender;
        listeners.mqtt = { url: config.mqtt.url };
        log.info({ url: config.mqtt.url }, 'MQTT binding connected');
      }
      if (config.http.enabled) {
        server = createServer(requestListener(binding, extras, adminTransportOf(security), (m, f) => log.warn(f, m)));
        applyConnectionLimits(server, config.limits, {
          onRefused: (why, peer) => log.debug({ why, peer }, 'connection refused (limits)'),
        });
        server.keepAliveTimeout = 65_000;
        const port = await listen(server, config.http.port, config.http.host);
        listeners.http = { url: `http://${config.http.host}:${port}`, port };
      }
      cse.start();
      registration?.start();
      // /metrics, /healthz, /readyz on their own loopback port (packages/observability).
      if (config.opsListener) {
        opsListener = await startAdminListener({
          ...config.opsListener,
          metrics,
          checks: { store: () => store.resources.get('readyz'), secureEnvironment: () => security.se.describe() },
        });
        log.info({ url: opsListener.url }, 'operations listener ready (/metrics, /healthz, /readyz)');
      }
      return listeners;
    },
    whenRegistered: (t) => registration?.whenRegistered(t) ?? Promise.resolve(),
    async stop() {
      registration?.stop();
      await opsListener?.close();
      await cse.stop();
      if (server) {
        const s = server;
        await new Promise<void>((resolve) => {
          s.close(() => resolve());
          s.closeAllConnections();
        });
      }
      await mqtt?.close();
      mqttSender?.close?.();
      if (mqttNotifications) mqttNotifications.inner = undefined;
      await coap?.binding.close();
      for (const l of tlsListeners) {
        l.close?.();
        l.server.close();
        l.server.closeAllConnections();
      }
      registrarSender?.close();
      httpSender.close();
      ownAgent?.destroy();
      await security.close();
      if (!runtime.store) await store.close();
    },
  };
}
