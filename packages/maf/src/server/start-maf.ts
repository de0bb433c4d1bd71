// The MAF role server (TS-0003 8.8): TLS listeners for the MAF Handshake (TLS-PSK with KmID / Km or a
// MEF-provisioned Km under its KeID, 8.8.2.2 / 10.2.2; mutual certificates, 10.2.3), each serving the
// Mmaf procedures and the DerivedKey trust anchor; an admin listener for the administrating
// stakeholder (plus the MEF's key notification when the MAF is an Enrolment Target). The resources are
// transport-free routes (routes.ts, admin/routes.ts); the shared HTTP edge the caller passes in (binding-http's
// httpEdge: a role may not import a binding) serves them and builds each request's transport context.
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { EdgeRoute, HttpEdge } from '@m2msec/protocol';
import {
  type BootstrapCredential,
  EnrolmentTargetKeys,
  fetchCredentials,
  handleKeyAnnouncement,
  KEY_ANNOUNCEMENT_PATH,
} from '@m2msec/rspf';
import { certificateServerOptions, pskIdentityOf, pskServerOptions } from '@m2msec/saef';
import type { SecureEnvironment } from '@m2msec/secure-environment';
import type { Store } from '@m2msec/store';
import { adminRoutes } from '../admin/routes.js';
import { openMafVault } from '../lib/vault.js';
import type { MafRouteContext } from '../procedures/context.js';
import { jsonBody } from '../procedures/json-body.js';
import { mafMqttRoutes, mafRoutes } from '../routes.js';
import { MafStore } from '../store/maf-store.js';
import { HostedTrustAnchors } from '../trust-anchor/hosted-trust-anchors.js';

export interface ListenOptions {
  host: string;
  /** 0: any free port. */
  port: number;
}

export interface MafLogger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
}

export interface StartMafOptions {
  /** The shared HTTP edge that serves the MAF's routes (binding-http's `httpEdge`). */
  edge: HttpEdge;
  /** MAF-FQDN (Key Identifier and KmID suffix, 10.3.5 / 10.6; the name in the MAF certificate). */
  fqdn: string;
  store: Store;
  /** Holds the MAF's key-encryption key and the DerivedKey K_RS-TA keys. */
  se: SecureEnvironment;
  /** MAF Handshake with TLS-PSK (TLS 1.2, 10.2.2). */
  psk?: ListenOptions;
  /** MAF Handshake with mutual certificates (10.2.3): MAF certificate and the client trust anchors. */
  certificate?: ListenOptions & {
    cert: string | Buffer;
    key: string | Buffer;
    trustAnchors: ReadonlyArray<string | Buffer>;
    crls?: ReadonlyArray<string | Buffer>;
  };
  admin: ListenOptions & { token: string };
  /**
   * Accept Km provisioned by this MEF (SUID 21, 8.8.2.3): the MAF is an Enrolment Target there
   * (targetId = MAF-ID, default the MAF-FQDN) and fetches Km with /fetchCredentials/<KeID>/21.
   */
  mef?: { url: string; fqdn: string; credential: BootstrapCredential; targetId?: string };
  /**
   * Also serve the Mmaf procedures over MQTT (docs/maf.md "Mmaf over MQTT"): the broker's clients belong
   * to M2M-SP `spId`, and `mqttRoutes` is handed to binding-mqtt's edgeRouteHandler by the composer.
   */
  mqtt?: { spId: string };
  /** How long Key Registration waits for each target to fetch the key (ms); default 5000. */
  notificationTimeoutMs?: number;
  /** Longest registration lifetimes granted (ms); defaults 30 days (clients), 1 day (keys). */
  maxRegistrationLifetimeMs?: number;
  maxKeyLifetimeMs?: number;
  /** Period of the purge of expired registrations (ms); default 60 000; 0: never. */
  purgeIntervalMs?: number;
  log?: MafLogger;
  now?: () => number;
}

export interface RunningMaf {
  store: MafStore;
  anchors: HostedTrustAnchors;
  rspfKeys?: EnrolmentTargetKeys;
  urls: { psk?: string; certificate?: string; admin: string };
  /** The procedures to serve over MQTT (with `mqtt` only): binding-mqtt's edgeRouteHandler(mqttRoutes, ...). */
  mqttRoutes?: EdgeRoute[];
  close(): Promise<void>;
}

async function listen(server: Server | HttpServer, o: ListenOptions): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return (server.address() as AddressInfo).port;
}

export async function startMaf(o: StartMafOptions): Promise<RunningMaf> {
  const now = o.now ?? Date.now;
  const vault = await openMafVault(o.se);
  const store = await MafStore.open(o.store, vault, now);
  const anchors = new HostedTrustAnchors(o.se, store);
  const rspfKeys = o.mef ? enrolmentTargetKeys(o.mef, o.fqdn, o.log) : undefined;
  const ctx: MafRouteContext = {
    mafFqdn: o.fqdn,
    store,
    ...(rspfKeys ? { rspfKeys } : {}),
    now,
    notify: {
      store,
      timeoutMs: o.notificationTimeoutMs ?? 5000,
      log: (m, f) => o.log?.warn(m, f),
    },
    maxRegistrationLifetimeMs: o.maxRegistrationLifetimeMs ?? 30 * 86_400_000,
    maxKeyLifetimeMs: o.maxKeyLifetimeMs ?? 86_400_000,
    log: (m, f) => o.log?.info(m, f),
    ...(o.mqtt ? { spId: o.mqtt.spId } : {}),
  };
  // The PSK identity of a session is known to saef's PSK callback only: the edge asks it.
  const mmaf = o.edge(mafRoutes(ctx, anchors), {
    errorShape: 'onem2m',
    notFoundMessage: 'no such MAF resource',
    pskIdentityOf,
    log: (m, f) => o.log?.warn(m, f),
  });

  const servers: Array<Server | HttpServer> = [];
  const urls: RunningMaf['urls'] = { admin: '' };
  const handshakeFailed = (e: Error) => o.log?.info('MAF Handshake failed', { code: (e as { code?: string }).code });
  if (o.psk) {
    const server = createServer(
      pskServerOptions({
        // Synchronous (DESIGN 3): Km is in memory; a MEF-provisioned Km arrives on the MEF's notification.
        resolve: (identity) =>
          rspfKeys?.isEnrolmentKeyId(identity) ? rspfKeys.lookup(identity)?.key : store.kmLookup(identity)?.key,
        tls13: false,
        identityHint: o.fqdn,
      }),
      mmaf,
    );
    server.on('tlsClientError', handshakeFailed);
    servers.push(server);
    urls.psk = `https://${o.psk.host}:${await listen(server, o.psk)}`;
  }
  if (o.certificate) {
    const server = createServer(
      certificateServerOptions({
        cert: o.certificate.cert,
        key: o.certificate.key,
        trustAnchors: o.certificate.trustAnchors,
        ...(o.certificate.crls ? { crls: o.certificate.crls } : {}),
        tls13: false,
      }),
      mmaf,
    );
    server.on('tlsClientError', handshakeFailed);
    servers.push(server);
    urls.certificate = `https://${o.certificate.host}:${await listen(server, o.certificate)}`;
  }
  const adminSide: EdgeRoute[] = [];
  if (rspfKeys) {
    // The MEF's notification that an enrolment naming this MAF completed (no secret: the fetch is authenticated).
    adminSide.push({
      method: 'POST',
      path: KEY_ANNOUNCEMENT_PATH,
      maxBodyBytes: 4 * 1024,
      async handle(r) {
        const a = await handleKeyAnnouncement(rspfKeys, jsonBody(r));
        return { status: a.status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(a.body) };
      },
    });
  }
  adminSide.push(...adminRoutes({ token: o.admin.token, mafFqdn: o.fqdn, store, anchors, notify: ctx.notify, now }));
  const adminApp = o.edge(adminSide, {
    errorShape: 'json',
    notFoundMessage: 'no such admin resource',
    log: (m, f) => o.log?.warn(m, f),
  });
  const admin = createHttpServer(adminApp);
  servers.push(admin);
  urls.admin = `http://${o.admin.host}:${await listen(admin, o.admin)}`;
  for (const s of servers) s.keepAliveTimeout = 65_000;

  const purgeEvery = o.purgeIntervalMs ?? 60_000;
  const purge =
    purgeEvery > 0
      ? setInterval(() => {
          store.purgeExpired().then(
            (n) =>
              n > 0 &&
              o.log?.info('expired registrations removed', { kind: 'lifecycle', event: 'key-expired', count: n }),
            (e) => o.log?.warn('purge of expired registrations failed', { error: e.message }),
          );
        }, purgeEvery)
      : undefined;
  purge?.unref();

  return {
    store,
    anchors,
    ...(rspfKeys ? { rspfKeys } : {}),
    urls,
    ...(o.mqtt ? { mqttRoutes: mafMqttRoutes(ctx, anchors) } : {}),
    async close() {
      if (purge) clearInterval(purge);
      await Promise.all(
        servers.map(
          (s) =>
            new Promise<void>((resolve) => {
              s.close(() => resolve());
              s.closeAllConnections();
            }),
        ),
      );
      rspfKeys?.clear();
      store.close();
    },
  };
}

function enrolmentTargetKeys(mef: NonNullable<StartMafOptions['mef']>, fqdn: string, log?: MafLogger) {
  const source = {
    mefUrl: mef.url,
    mefFqdn: mef.fqdn,
    credential: mef.credential,
    targetId: mef.targetId ?? fqdn,
  };
  return new EnrolmentTargetKeys({
    mefFqdns: [mef.fqdn],
    // SUID 21: a key provisioned via an RSPF to be shared with a MAF (8.8.2.3), Km = 10.3.2.
    fetch: (keId) => fetchCredentials(source, keId, 21),
    onFetched: async (keId, c) => log?.info('Km fetched from the MEF', { keId, enroleeId: c.enroleeId }),
    onError: (m) => log?.warn(m),
  });
}
