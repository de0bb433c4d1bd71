// createMnCse: an MN-CSE as a library. The gateway mounts `router` under a prefix on its own HTTP
// server (Mca for AEs); start() connects the optional MQTT binding and HTTPS Mcc listener and
// registers to the registrar; requests for other CSEs are forwarded over the registrar association.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createAuthenticator } from '@m2msec/authentication';
import type { CoapBinding } from '@m2msec/binding-coap';
import { createHttpBinding, type HttpBinding, HttpRequestSender } from '@m2msec/binding-http';
import { createMqttBinding, type MqttBinding, MqttRequestSender } from '@m2msec/binding-mqtt';
import {
  Cse,
  type Logger,
  Registration,
  type RegistrationStatus,
  silentLogger,
  tamperingRelaySender,
} from '@m2msec/cse';
import { cseESPrimTarget } from '@m2msec/esprim';
import type { RequestHandler, RequestSender } from '@m2msec/protocol';
import { CertificateRevocation, CrlFeed, createSaefAgent } from '@m2msec/saef';
import {
  applyCertificateRevocation,
  associationTransportContext,
  certificateAssociationHandler,
  revocationServerOptions,
  SecurityAssociationRegistry,
} from '@m2msec/security-association';
import { openSqliteStore, openStore, type Store, type StoreConfig } from '@m2msec/store';
import { DeferredSender } from './deferred-sender.js';
import { startCoapListener } from './mn-coap-listener.js';
import type { MnCseOptions } from './mn-cse-options.js';

export interface MnCse {
  readonly cse: Cse;
  /** The oneM2M HTTP binding (TS-0009): `app.use('/onem2m', mn.router)`, before any body parser. */
  readonly router: HttpBinding['router'];
  /** The CSE's request handler, for other bindings an embedder adds. */
  readonly handler: RequestHandler;
  /** Registration to the registrar as it stands. */
  readonly registration: Readonly<RegistrationStatus>;
  /** URL of the HTTPS Mcc listener once started. */
  readonly mccUrl: string | undefined;
  /** URL (coaps://) of the CoAP/DTLS listener once started. */
  readonly coapUrl: string | undefined;
  /** Connects MQTT, opens the Mcc listener, starts registering (in the background). */
  start(): Promise<void>;
  /** Resolves once registered to the registrar. */
  whenRegistered(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

function isStore(s: MnCseOptions['store']): s is Store {
  return typeof (s as Store | undefined)?.transaction === 'function';
}

function checkOptions(o: MnCseOptions): void {
  const r = o.registrar;
  if (!r.framework && !r.plainHttp) {
    throw new TypeError(
      'createMnCse: registrar.framework (a SAEF credential) is required; plainHttp: true only for closed labs',
    );
  }
  const scheme = new URL(r.url).protocol;
  if (r.framework && scheme !== 'https:')
    throw new TypeError(`createMnCse: registrar.url must be https with a SAEF framework`);
  if (!r.framework && scheme !== 'http:') throw new TypeError('createMnCse: plainHttp needs an http registrar.url');
}

export async function createMnCse(o: MnCseOptions): Promise<MnCse> {
  checkOptions(o);
  const log: Logger = o.log ?? silentLogger;
  const ownStore = !isStore(o.store);
  const store = isStore(o.store)
    ? o.store
    : o.store
      ? await openStore(o.store as StoreConfig)
      : await openSqliteStore({ file: ':memory:' });
  const timeoutMs = o.requestTimeoutMs ?? 5_000;
  // Mcc towards the registrar: every request rides the SAEF session(s) of this agent.
  const ownAgent =
    o.registrar.framework && !o.registrar.httpsAgent ? createSaefAgent(o.registrar.framework) : undefined;
  const agent = o.registrar.httpsAgent ?? ownAgent;
  const registrarSender = new HttpRequestSender({ timeoutMs, ...(agent ? { httpsAgent: agent } : {}) });
  const mqttNotifications = new DeferredSender(['mqtt', 'mqtts']);
  const httpNotifications = new HttpRequestSender({ timeoutMs });
  const notificationSenders: RequestSender[] = [httpNotifications, mqttNotifications];
  // TS-0003 8.4 / 7.2.2: this CSE as ESPrim Target, when configured.
  const esprim = o.endToEnd
    ? cseESPrimTarget({ cseId: o.cseId, cseBaseName: o.cseBaseName, spId: o.spId, ...o.endToEnd.esprim })
    : undefined;
  const cse = await Cse.open({
    store,
    log,
    senders: notificationSenders,
    retargetSenders: [o.relayTestHook ? tamperingRelaySender(registrarSender, o.relayTestHook) : registrarSender],
    appRules: o.appRules ?? [],
    authenticate: createAuthenticator({ mca: o.mca ?? 'optional' }),
    ...(esprim ? { endToEndAuthenticated: esprim.endToEndAuthenticated } : {}),
    ...(o.isAdministrator ? { isAdministrator: o.isAdministrator } : {}),
    config: {
      cseId: o.cseId,
      cseBaseName: o.cseBaseName,
      spId: o.spId,
      cseType: 2,
      poa: o.poa,
      registrarCseId: o.registrar.cseId,
      allowCseWithoutAssociation: !!o.registrar.plainHttp,
      requestTimeoutMs: timeoutMs,
      ...(o.adminOriginators ? { adminOriginators: o.adminOriginators } : {}),
      ...(o.notifications ? { notifications: o.notifications } : {}),
      ...(esprim ? { e2eSecInfo: esprim.e2eSecInfo } : {}),
    },
  });
  const handler: RequestHandler = esprim ? esprim.wrap(cse.handle) : cse.handle;
  const bindingLog = ({
    level,
    message,
    rqi,
  }: {
    level: 'warn' | 'error' | 'info' | 'debug';
    message: string;
    rqi?: string;
  }) => log[level]({ rqi }, message);
  const http = createHttpBinding({
    handler,
    cseId: o.cseId,
    cseBaseName: o.cseBaseName,
    spId: o.spId,
    ...(o.maxBodyBytes ? { maxBodyBytes: o.maxBodyBytes } : {}),
    logger: bindingLog,
  });
  const registration = new Registration(
    cse,
    { cseId: o.cseId, cseBaseName: o.cseBaseName, poa: o.poa, srv: ['3'] },
    o.registrar,
    registrarSender,
    log,
    timeoutMs,
  );
  let mqtt: MqttBinding | undefined;
  let mqttSender: MqttRequestSender | undefined;
  let mcc: Server | undefined;
  let mccUrl: string | undefined;
  let coap: { binding: CoapBinding; url: string } | undefined;

  return {
    cse,
    router: http.router,
    handler,
    registration: registration.status,
    get mccUrl() {
      return mccUrl;
    },
    get coapUrl() {
      return coap?.url;
    },
    async start() {
      if (o.mqtt) {
        mqtt = await createMqttBinding({
          handler,
          cseId: o.cseId,
          spId: o.spId,
          connect: { url: o.mqtt.url, tls: o.mqtt.tls },
          ...(o.mqtt.topicPrefix ? { topicPrefix: o.mqtt.topicPrefix } : {}),
          ...(o.mqtt.onRegistration ? { onRegistration: o.mqtt.onRegistration } : {}),
          logger: bindingLog,
        });
        // Notifications to AEs that listen on MQTT go through the same session.
        mqttSender = new MqttRequestSender({ cseId: o.cseId, connections: [mqtt.connection], timeoutMs });
        mqttNotifications.inner = mqttSender;
      }
      if (o.mcc) {
        mcc = await startMccListener(o, handler, log);
        const a = mcc.address() as AddressInfo;
        mccUrl = `https://${o.mcc.host ?? '127.0.0.1'}:${a.port}`;
      }
      if (o.coap) coap = await startCoapListener(o.coap, { spId: o.spId, cseId: o.cseId }, handler, log);
      cse.start();
      registration.start();
    },
    whenRegistered: (t) => registration.whenRegistered(t),
    async stop() {
      registration.stop();
      await cse.stop();
      await mqtt?.close();
      await coap?.binding.close();
      mqttSender?.close?.();
      if (mcc) {
        const s = mcc;
        await new Promise<void>((resolve) => {
          s.close(() => resolve());
          s.closeAllConnections();
        });
      }
      mqttNotifications.inner = undefined;
      registrarSender.close();
      httpNotifications.close();
      ownAgent?.destroy();
      if (ownStore) await store.close();
    },
  };
}

const pem = (v: string | Buffer) => (typeof v === 'string' && !v.includes('-----BEGIN') ? readFileSync(v) : v);

/**
 * Mutual-TLS listener: only sessions the certificate SAEF admitted reach the CSE (TS-0003 8.2.2.2).
 * CRLs (given, from files re-read on change, or fetched from a URL such as the MEF's) are checked in
 * the handshake and per session; a change tears down the live sessions of revoked certificates.
 */
async function startMccListener(o: MnCseOptions, handler: RequestHandler, log: Logger): Promise<Server> {
  const m = o.mcc!;
  const registry = new SecurityAssociationRegistry({});
  const trustAnchors = m.trustAnchors.map(pem);
  const revocation = new CertificateRevocation(trustAnchors);
  const isPath = (v: string | Buffer): v is string => typeof v === 'string' && !v.includes('-----BEGIN');
  revocation.update(
    (m.crls ?? []).filter((c) => !isPath(c)),
    (reason) => log.warn({ reason }, 'Mcc CRL refused'),
  );
  const feed = new CrlFeed(revocation, {
    files: (m.crls ?? []).filter(isPath),
    ...(m.crl?.url ? { url: m.crl.url } : {}),
    ...(m.crl?.refreshSeconds !== undefined ? { refreshSeconds: m.crl.refreshSeconds } : {}),
    ...(m.crl?.startupTimeoutSeconds !== undefined ? { startupTimeoutSeconds: m.crl.startupTimeoutSeconds } : {}),
    onError: (reason) => log.warn({ reason }, 'Mcc CRL'),
  });
  await feed.start();
  const binding = createHttpBinding({
    handler,
    cseId: o.cseId,
    cseBaseName: o.cseBaseName,
    spId: o.spId,
    // Identities come from the certificate alone: no Credential-ID bindings on this listener.
    transportContext: associationTransportContext({ registry, bindings: { boundIdsSync: () => [] } }),
  });
  const tls = { cert: pem(m.cert), key: pem(m.key), trustAnchors };
  // The binding as a plain listener: it answers every path itself (oneM2M errors included).
  const server = createServer(revocationServerOptions({ tls, revocation }), binding.handle);
  applyCertificateRevocation({ server, tls, revocation, registry });
  server.once('close', () => feed.close());
  server.on(
    'secureConnection',
    certificateAssociationHandler({
      // A client certificate naming this MN-CSE's own CSE-ID is nobody's (issue 12).
      ownCseId: o.cseId,
      registry,
      revocation,
      identityContext: { spId: o.spId, inCseId: o.registrar.cseId },
      onRefused: (reason) => log.warn({ reason }, 'Mcc certificate session refused'),
    }),
  );
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(m.port, m.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}
