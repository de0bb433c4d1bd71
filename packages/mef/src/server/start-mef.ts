// The MEF role server (TS-0003 8.3): TLS listeners for the MEF Handshake (TLS-PSK with KpmID / Kpm,
// 8.3.2.1; mutual certificates, 8.3.2.2; optionally server-only TLS + HTTP Digest for user
// devices), each serving the Enrolment Exchange, /fetchCredentials, the Mmef procedures, EST at
// /.well-known/est and DSKPP at /dskpp; and an admin listener for the administrating stakeholder.
import { X509Certificate } from 'node:crypto';
import {
  createServer as createHttpServer,
  type Server as HttpServer,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo, Server as NetServer } from 'node:net';
import type { DskppServer } from '@m2msec/dskpp';
import { dskppRoutes } from '@m2msec/dskpp';
import {
  type CertificateAuthority,
  type ChannelBindingMode,
  canonicalSerial,
  createEstServer,
  type EstServer,
  type EstServerOptions,
  estPskCallback,
  estRoutes,
  pskIdentityOf,
} from '@m2msec/est';
import type { Bsf } from '@m2msec/gba';
import { type EdgeRequest, type EdgeRoute, type HttpEdge, ResponseStatusCode, type TlsContext } from '@m2msec/protocol';
import { EnrolmentExchange, type EnrolmentRecord, type KeyVault, RspfError } from '@m2msec/rspf';
import { certificateServerOptions, TLS12_PSK_CIPHERS } from '@m2msec/saef';
import type { SecureEnvironment } from '@m2msec/secure-environment';
import type { Store } from '@m2msec/store';
import { adminRoutes } from '../admin/routes.js';
import { CrlPublisher } from '../crl/crl-publisher.js';
import { CRL_PATH, crlRoute } from '../crl/crl-route.js';
import { DigestAuthenticator } from '../digest/digest.js';
import { sharedDigestSecret, sharedNonceCounts } from '../digest/shared-nonces.js';
import { gbaAdminRoutes } from '../gba/admin-routes.js';
import { type EstOverGba, estOverGba } from '../gba/est-over-gba.js';
import { GBA_ADMIN_OPERATIONS } from '../gba/schemas.js';
import { createMefBsf, GBA_UB_PATH, GBA_ZN_PATH, type MefGbaOptions } from '../gba/start-bsf.js';
import { jsonAnswer, withBearerToken } from '../lib/edge-json.js';
import { onem2mError } from '../lib/onem2m-answer.js';
import { openKeyVault } from '../lib/vault.js';
import { enrolmentRoutes } from '../routes/enrolment-routes.js';
import { fetchCredentialsRoute } from '../routes/fetch-credentials-route.js';
import { mmefRoutes } from '../routes/mmef-routes.js';
import { EST_BASE_PATH, MefStore } from '../store/mef-store.js';
import type { UserAuthContext, UserAuthScheme } from '../user/authenticate-user.js';
import { GuessGuard } from '../user/guess-guard.js';
import { withUserAuthentication } from '../user/user-routes.js';
import {
  cmcRevocation,
  estEnrolmentPolicy,
  expectedSanPolicy,
  issuedCertificateCheck,
  recordEstIssuance,
  serverKeygenSharedKey,
} from './est-policy.js';
import { enroleePrincipal } from './session-identity.js';

export interface ListenOptions {
  host: string;
  /** 0: any free port. */
  port: number;
}

export interface MefLogger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
}

export interface StartMefOptions {
  /**
   * The shared HTTP edge (binding-http's `httpEdge`) serving the engines' transport-free routes (DSKPP,
   * GBA Ub / Zn); a role may not import a binding, so the caller passes it.
   */
  edge: HttpEdge;
  /** MEF-FQDN (KeID suffix, 10.3.4; the name in the MEF certificate). */
  fqdn: string;
  store: Store;
  /** Holds the MEF's key-encryption key (and the EST CA key, if any). */
  se: SecureEnvironment;
  /** Shared KEK for several instances over one database (imported into the SE on first start). */
  kek?: Uint8Array;
  /** Pre-provisioned symmetric key RSPF listener (TLS 1.2 PSK, 10.2.2). */
  psk?: ListenOptions;
  /** Certificate-based RSPF listener (mutual TLS, 10.2.3): MEF certificate and the client trust anchors. */
  certificate?: ListenOptions & {
    cert: string | Buffer;
    key: string | Buffer;
    trustAnchors: ReadonlyArray<string | Buffer>;
    crls?: ReadonlyArray<string | Buffer>;
  };
  /**
   * Username/password option (server-only TLS + HTTP Basic / Digest), off unless given. Serves the
   * enrolment exchange and, with a CA, EST with HTTP authentication (RFC 7030 3.2.3): both outside the
   * TS-0003 EST profile (8.3.6.2.1 NOTE 3).
   */
  user?: ListenOptions & UserListenerPolicy & { cert: string | Buffer; key: string | Buffer };
  admin: ListenOptions & { token: string };
  /** The MEF CA: enables EST at /.well-known/est and certificate enrolment instructions. */
  ca?: CertificateAuthority;
  /** EST certificate lifecycle (issue 12 item 6). */
  est?: {
    /** Longest validity of an EST certificate; the enrolee's Enrolment Expiry cuts it. Default 365 days. */
    validitySeconds?: number;
    /** URIs written as cRLDistributionPoints into issued certificates (where relying parties fetch GET /crl). */
    crlDistributionPoints?: string[];
    /** CRL thisUpdate -> nextUpdate; default 3600 s. Regenerated on every revocation and every half period. */
    crlNextUpdateSeconds?: number;
  };
  /** A plain HTTP listener that serves only GET /crl (the admin listener serves it too). */
  crl?: ListenOptions;
  channelBinding?: ChannelBindingMode;
  dskpp?: DskppServer;
  /** GBA-based RSPF (8.3.2.3): the MEF as BSF, Ub and Zn listeners, subscribers in the store. */
  gba?: MefGbaOptions;
  /**
   * Also serve the Mmef procedures over MQTT (docs/mef.md "Mmef over MQTT"): the broker's clients belong
   * to M2M-SP `spId`; the composer hands `mqttRoutes` to binding-mqtt's edgeRouteHandler.
   */
  mqtt?: { spId: string };
  /** POST {"keID"} to each target's announceUrl when an enrolment naming it completes; default true. */
  notifyTargets?: boolean;
  log?: MefLogger;
  now?: () => number;
}

export interface UserListenerPolicy {
  realm?: string;
  /** Enrolee groups whose users may authenticate (an enrolee's `group`); none by default. */
  groups: readonly string[];
  /** Accepted schemes; default both (Digest first in the challenge). */
  schemes?: readonly UserAuthScheme[];
  /** Consecutive failures that lock a username; default 5. */
  maxFailures?: number;
  /** How long a locked username stays locked; default 900 s. */
  lockoutSeconds?: number;
  /** Authentication attempts per source address and minute; default 30. */
  attemptsPerMinute?: number;
  /** Subject of an EST certificate issued to a user: `CN=<username>` (default) or the CSR's. */
  certificateSubject?: 'username' | 'csr';
}

export interface RunningMef {
  store: MefStore;
  vault: KeyVault;
  /** The Mmef procedures to serve over MQTT (with `mqtt` only): binding-mqtt's edgeRouteHandler(mqttRoutes, ...). */
  mqttRoutes?: EdgeRoute[];
  /** The BSF (gba option): subscribers, purgeExpired. */
  bsf?: Bsf;
  /** The MEF CA's CRL (when a CA is configured). */
  crl?: CrlPublisher;
  urls: {
    crl?: string;
    psk?: string;
    certificate?: string;
    user?: string;
    admin: string;
    gbaUb?: string;
    gbaZn?: string;
    /** EST over GBA TLS-PSK (gba.est). */
    gbaEst?: string;
  };
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

export async function startMef(o: StartMefOptions): Promise<RunningMef> {
  const now = o.now ?? Date.now;
  const vault = await openKeyVault(o.se, o.kek);
  await checkKek(o.store, vault);
  const store = await MefStore.open(o.store, vault, now);
  const crl = o.ca
    ? new CrlPublisher(store, o.ca, {
        ...(o.est?.crlNextUpdateSeconds !== undefined ? { nextUpdateSeconds: o.est.crlNextUpdateSeconds } : {}),
        now,
        onError: (m) => o.log?.warn(m),
      })
    : undefined;
  await crl?.start();
  const fault = (m: string, f: Record<string, unknown>) => o.log?.warn(m, f);
  // EST servers of the listeners (their CSR-verify worker threads stop at close()).
  const estServers: EstServer[] = [];
  const estServer = (options: EstServerOptions) => {
    const server = createEstServer(options);
    estServers.push(server);
    return server;
  };
  const estLogger = {
    info: (m: string, f?: Record<string, unknown>) => o.log?.info(m, f),
    warn: (m: string, f?: Record<string, unknown>) => o.log?.warn(m, f),
  };
  const exchange = new EnrolmentExchange({
    mefFqdn: o.fqdn,
    repository: store,
    vault,
    now,
    ...(o.ca && crl ? { checkIssuedCertificate: issuedCertificateCheck(store, o.ca, (s) => crl.isRevoked(s)) } : {}),
    onComplete: (r) => {
      // The key's lifecycle line: identifiers only (the KeID names the key, never carries it).
      o.log?.info('enrolment complete', {
        kind: 'lifecycle',
        event: 'key-provisioned',
        keId: r.keId,
        enroleeId: r.enroleeId,
        targets: r.targets.map((t) => t.targetId),
      });
      if (o.notifyTargets !== false) void notifyTargets(store, r, o.log);
    },
  });

  // The MEF CA is added to the certificate listener's trust anchors for EST re-enrolment only: unless the
  // operator configured it as a trust anchor, its certificates reach nothing but EST on this listener
  // (an EST certificate must not pass for a bootstrap-certificate enrolee or a target by its SAN).
  const mefCaConfigured =
    !!o.ca &&
    (o.certificate?.trustAnchors ?? []).some((a) => {
      try {
        return new X509Certificate(a).raw.equals(Buffer.from(o.ca!.certificate));
      } catch {
        return false;
      }
    });
  // Per handshake (the edge hands one TlsContext to every request of a session).
  const issuedByMefCa = new WeakMap<TlsContext, X509Certificate | false>();
  const mefCaCertificate = (tls: TlsContext | undefined): X509Certificate | undefined => {
    if (!tls || !o.ca) return undefined;
    let mine = issuedByMefCa.get(tls);
    if (mine === undefined) {
      const der = tls.peerCertificate?.der;
      const peer = der ? new X509Certificate(der) : undefined;
      mine = peer?.checkIssued(o.ca.x509) && peer.verify(o.ca.publicKey) ? peer : false;
      issuedByMefCa.set(tls, mine);
    }
    return mine || undefined;
  };
  /** A certificate of the MEF CA reaches EST only on this listener (when the operator did not trust it). */
  const onlyEst = (routes: readonly EdgeRoute[]): EdgeRoute[] =>
    o.ca && !mefCaConfigured
      ? routes.map((route) => ({
          ...route,
          handle: (req) =>
            mefCaCertificate(req.transport.tls)
              ? Promise.resolve(
                  onem2mError(
                    new RspfError('FORBIDDEN', 'a certificate of the MEF CA is accepted for EST re-enrolment only'),
                  ),
                )
              : route.handle(req),
        }))
      : [...routes];
  const notFound: EdgeRoute = { method: '*', path: '/*', handle: async () => onem2mNotFound('no such MEF resource') };

  /** One TLS listener's request listener: EST, DSKPP and the MEF's own resources, each behind the shared edge. */
  const tlsListener = (principalOf: (req: EdgeRequest) => ReturnType<typeof enroleePrincipal>) => {
    const est = o.ca
      ? o.edge(
          estRoutes(
            estServer({
              ca: o.ca,
              authorize: estEnrolmentPolicy(store, { now }),
              recordIssued: recordEstIssuance(store, now),
              serverKeygenSharedKey: serverKeygenSharedKey(store),
              expectedSan: expectedSanPolicy(store),
              revokeCertificate: cmcRevocation(store, crl ? () => crl.regenerate() : undefined),
              ...(o.est?.validitySeconds !== undefined ? { validitySeconds: o.est.validitySeconds } : {}),
              ...(o.est?.crlDistributionPoints?.length ? { crlDistributionPoints: o.est.crlDistributionPoints } : {}),
              channelBinding: o.channelBinding ?? 'require',
              logger: estLogger,
            }),
          ),
          { prefix: EST_BASE_PATH, pskIdentityOf, log: fault },
        )
      : undefined;
    const dskpp = o.dskpp
      ? o.edge(onlyEst(dskppRoutes(o.dskpp)), { prefix: '/dskpp', pskIdentityOf, log: fault })
      : undefined;
    const mef = o.edge(
      onlyEst([
        ...enrolmentRoutes(exchange, principalOf, fault),
        fetchCredentialsRoute(store, { mefFqdn: o.fqdn, repository: store, vault, now }),
        ...mmefRoutes(store, { mefFqdn: o.fqdn, vault, now }),
        notFound,
      ]),
      { errorShape: 'onem2m', pskIdentityOf, log: fault },
    );
    return (req: IncomingMessage, res: ServerResponse) => {
      const url = req.url ?? '/';
      if (est && under(url, EST_BASE_PATH)) return est(req, res);
      if (dskpp && under(url, '/dskpp')) return dskpp(req, res, () => mef(req, res));
      mef(req, res);
    };
  };
  // A certificate this MEF CA issued and then revoked authenticates no enrolee (the listener's own
  // trust anchors may not carry CRLs for every CA, so the check is here, on every request).
  const tlsPrincipal = (req: EdgeRequest) => {
    const peer = crl ? mefCaCertificate(req.transport.tls) : undefined;
    if (peer && crl?.isRevoked(canonicalSerial(peer.serialNumber))) return undefined;
    return enroleePrincipal(req.transport.tls, store);
  };

  const servers: Array<Server | HttpServer> = [];
  /** The EST-over-GBA gate (a net.Server) and the TLS server behind it. */
  const gated: Array<NetServer | Server> = [];
  const urls: RunningMef['urls'] = { admin: '' };
  if (o.psk) {
    const server = createServer(
      {
        ciphers: TLS12_PSK_CIPHERS.join(':'),
        minVersion: 'TLSv1.2',
        maxVersion: 'TLSv1.2',
        // Synchronous: Kpm and target PSKs are in memory (MefStore.pskLookup); a miss fetches that identity alone in the background.
        pskCallback: estPskCallback((identity) => store.pskLookup(identity)?.key),
        pskIdentityHint: o.fqdn,
      },
      tlsListener(tlsPrincipal),
    );
    server.on('tlsClientError', (e) => o.log?.info('MEF Handshake failed', { code: (e as { code?: string }).code }));
    servers.push(server);
    urls.psk = `https://${o.psk.host}:${await listen(server, o.psk)}`;
  }
  if (o.certificate) {
    const server = createServer(
      certificateServerOptions({
        cert: o.certificate.cert,
        key: o.certificate.key,
        // RFC 7030 4.2.2: /simplereenroll authenticates with the certificate being renewed, so the
        // MEF CA is a trust anchor of its own certificate listener (its revocations are checked per
        // request: tlsPrincipal and the EST policy).
        trustAnchors:
          o.ca && !mefCaConfigured
            ? [...o.certificate.trustAnchors, pemCertificate(o.ca.certificate)]
            : o.certificate.trustAnchors,
        ...(o.certificate.crls ? { crls: o.certificate.crls } : {}),
        tls13: false,
      }),
      tlsListener(tlsPrincipal),
    );
    server.on('tlsClientError', (e) => o.log?.info('MEF Handshake failed', { code: (e as { code?: string }).code }));
    servers.push(server);
    urls.certificate = `https://${o.certificate.host}:${await listen(server, o.certificate)}`;
  }
  const realm = o.user?.realm ?? o.fqdn;
  const userGuard = o.user
    ? new GuessGuard(o.store, {
        now,
        ...(o.user.maxFailures !== undefined ? { maxFailures: o.user.maxFailures } : {}),
        ...(o.user.lockoutSeconds !== undefined ? { lockoutSeconds: o.user.lockoutSeconds } : {}),
        ...(o.user.attemptsPerMinute !== undefined ? { attemptsPerMinute: o.user.attemptsPerMinute } : {}),
      })
    : undefined;
  if (o.user) {
    const groups = new Set(o.user.groups);
    const userRecord = async (username: string) => {
      const rec = await store.enrolees.get(`user:${username}`);
      return rec?.group !== undefined && groups.has(rec.group) ? rec : undefined;
    };
    // Shared by every instance over this store: any replica accepts an answer, a replayed nc none.
    const digest = new DigestAuthenticator({
      realm,
      now,
      secret: await sharedDigestSecret(o.store, vault),
      acceptCount: sharedNonceCounts(o.store, now),
      ha1Of: async (username) => {
        const rec = await userRecord(username);
        return rec?.sealedHa1 ? vault.open('ha1', rec.principal, rec.sealedHa1) : undefined;
      },
    });
    const authContext: UserAuthContext = {
      schemes: o.user.schemes ?? ['digest', 'basic'],
      digest,
      guard: userGuard!,
      realm,
      passwordHashOf: async (username) => {
        const rec = await userRecord(username);
        return rec?.sealedPasswordHash
          ? (await vault.open('password-hash', rec.principal, rec.sealedPasswordHash)).toString('utf8')
          : undefined;
      },
    };
    // Every request authenticates first (RFC 7030 3.2.3 / RFC 7616 inside server-only TLS), whatever it names.
    const est = o.ca
      ? (() => {
          const authenticated = withUserAuthentication(
            authContext,
            estRoutes(
              estServer({
                ca: o.ca,
                httpAuthentication: true,
                authorize: estEnrolmentPolicy(store, { now, userSubject: o.user.certificateSubject ?? 'username' }),
                expectedSan: expectedSanPolicy(store),
                recordIssued: recordEstIssuance(store, now),
                ...(o.est?.validitySeconds !== undefined ? { validitySeconds: o.est.validitySeconds } : {}),
                ...(o.est?.crlDistributionPoints?.length ? { crlDistributionPoints: o.est.crlDistributionPoints } : {}),
                channelBinding: o.channelBinding ?? 'require',
                logger: estLogger,
              }),
              { httpUserOf: (r) => authenticated.userOf(r) },
            ),
          );
          return o.edge(authenticated.routes, { prefix: EST_BASE_PATH, log: fault });
        })()
      : undefined;
    const enrolment: { userOf?: (r: EdgeRequest) => string | undefined } = {};
    const authenticatedMef = withUserAuthentication(authContext, [
      ...enrolmentRoutes(
        exchange,
        (req) => {
          const u = enrolment.userOf?.(req);
          return u ? { kind: 'user', username: u } : undefined;
        },
        fault,
      ),
      notFound,
    ]);
    enrolment.userOf = authenticatedMef.userOf;
    const mef = o.edge(authenticatedMef.routes, { errorShape: 'onem2m', log: fault });
    const app = (req: IncomingMessage, res: ServerResponse) => {
      if (est && under(req.url ?? '/', EST_BASE_PATH)) return est(req, res);
      mef(req, res);
    };
    const server = createServer({ cert: o.user.cert, key: o.user.key, minVersion: 'TLSv1.2' }, app);
    servers.push(server);
    urls.user = `https://${o.user.host}:${await listen(server, o.user)}`;
  }
  const gba = o.gba ? createMefBsf(o.gba, { store: o.store, se: o.se, now, edge: o.edge }) : undefined;
  if (o.gba && gba) {
    servers.push(gba.ub, gba.zn);
    const ubScheme = o.gba.ub.cert && o.gba.ub.key ? 'https' : 'http';
    urls.gbaUb = `${ubScheme}://${o.gba.ub.host}:${await listen(gba.ub, o.gba.ub)}${GBA_UB_PATH}`;
    urls.gbaZn = `https://${o.gba.zn.host}:${await listen(gba.zn, o.gba.zn)}${GBA_ZN_PATH}`;
    if (o.gba.est) {
      if (!o.ca) throw new Error('gba.est needs the MEF CA (EST)');
      let cache: EstOverGba['cache'] | undefined;
      const policy = { now, gbaEnroleeId: (btid: string) => cache?.lookup(btid)?.enroleeId };
      const listener = o.edge(
        estRoutes(
          estServer({
            ca: o.ca,
            authorize: estEnrolmentPolicy(store, policy),
            recordIssued: recordEstIssuance(store, now),
            expectedSan: expectedSanPolicy(store, policy),
            ...(o.est?.validitySeconds !== undefined ? { validitySeconds: o.est.validitySeconds } : {}),
            ...(o.est?.crlDistributionPoints?.length ? { crlDistributionPoints: o.est.crlDistributionPoints } : {}),
            channelBinding: o.channelBinding ?? 'require',
            logger: estLogger,
          }),
        ),
        {
          prefix: EST_BASE_PATH,
          errorShape: 'onem2m',
          notFoundMessage: 'only EST is served on this listener',
          pskIdentityOf,
          log: fault,
        },
      );
      const est = estOverGba(gba.bsf, o.fqdn, listener);
      cache = est.cache;
      urls.gbaEst = `https://${o.gba.est.host}:${await listen(est.server as unknown as HttpServer, o.gba.est)}${EST_BASE_PATH}`;
      gated.push(est.server, est.tls);
    }
  }
  // The admin listener: the CRL first (public and signed, served without the admin token), then the
  // admin API behind the bearer token; an unknown path is a 404 for the token holder only.
  const adminSide: EdgeRoute[] = [];
  if (crl) adminSide.push(crlRoute(crl));
  if (gba) adminSide.push(...gbaAdminRoutes(gba.bsf, { token: o.admin.token }));
  adminSide.push(
    ...adminRoutes(store, {
      token: o.admin.token,
      digestRealm: realm,
      ...(userGuard ? { afterUserChange: (u: string) => userGuard.reset(u) } : {}),
      ...(crl ? { afterRevocation: () => crl.regenerate() } : {}),
      ...(gba ? { moreOperations: GBA_ADMIN_OPERATIONS } : {}),
      lifecycle: (m, f) => o.log?.info(m, f),
    }),
    ...withBearerToken(o.admin.token, [
      {
        method: '*',
        path: '/*',
        handle: async () => onem2mNotFound('no such admin resource'),
      },
    ]),
  );
  const admin = createHttpServer(o.edge(adminSide, { errorShape: 'onem2m', log: fault }));
  servers.push(admin);
  urls.admin = `http://${o.admin.host}:${await listen(admin, o.admin)}`;
  if (o.crl && crl) {
    const crlServer = createHttpServer(
      o.edge(
        [
          crlRoute(crl),
          {
            method: '*',
            path: '/*',
            handle: async () => ({
              status: 404,
              headers: { 'content-type': 'text/plain; charset=utf-8' },
              body: 'only GET /crl is served here',
            }),
          },
        ],
        { log: fault },
      ),
    );
    servers.push(crlServer);
    urls.crl = `http://${o.crl.host}:${await listen(crlServer, o.crl)}${CRL_PATH}`;
  }
  for (const s of servers) s.keepAliveTimeout = 65_000;
  const purge = () =>
    Promise.all([
      store.purge().then(
        (n) =>
          n > 0 &&
          o.log?.info('purged expired or unattested records', { kind: 'lifecycle', event: 'key-expired', count: n }),
        (e) => o.log?.warn('purge failed', { error: (e as Error).message }),
      ),
      // Expired GBA challenges and B-TIDs (a B-TID past its key lifetime is refused anyway).
      gba?.bsf.purgeExpired().then(
        (n) => n.challenges + n.bootstraps > 0 && o.log?.info('purged expired GBA records', n),
        (e) => o.log?.warn('GBA purge failed', { error: (e as Error).message }),
      ),
    ]);
  void purge();
  const purgeTimer = setInterval(purge, 60_000);
  purgeTimer.unref();

  return {
    store,
    vault,
    ...(gba ? { bsf: gba.bsf } : {}),
    ...(crl ? { crl } : {}),
    ...(o.mqtt ? { mqttRoutes: mmefRoutes(store, { mefFqdn: o.fqdn, vault, now, spId: o.mqtt.spId }) } : {}),
    urls,
    async close() {
      clearInterval(purgeTimer);
      crl?.close();
      await Promise.all(estServers.map((e) => e.close()));
      for (const g of gated) {
        g.close();
        (g as Partial<Server>).closeAllConnections?.();
      }
      await Promise.all(
        servers.map(
          (s) =>
            new Promise<void>((resolve) => {
              s.close(() => resolve());
              s.closeAllConnections();
            }),
        ),
      );
      store.close();
    },
  };
}

/** A sealed canary in the store: an instance with another KEK stops at start instead of failing later. */
async function checkKek(store: Store, vault: KeyVault): Promise<void> {
  const meta = store.collection<string>('mef-meta');
  const canary = await meta.get('kek-canary');
  if (canary === undefined) {
    await meta.insert('kek-canary', await vault.seal('canary', 'kek', Buffer.from('m2msec MEF KEK canary')));
    return;
  }
  try {
    await vault.open('canary', 'kek', canary);
  } catch {
    throw new Error(
      'this MEF key-encryption key cannot open the records in the store: instances sharing a database need the same KEK',
    );
  }
}

async function notifyTargets(store: MefStore, r: EnrolmentRecord, log?: MefLogger): Promise<void> {
  for (const t of r.targets) {
    const target = await store.targets.get(t.targetId);
    if (!target?.announceUrl) continue;
    try {
      const res = await fetch(target.announceUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ keID: r.keId }),
        signal: AbortSignal.timeout(15_000),
      });
      log?.info('Enrolment Target notified', { targetId: t.targetId, status: res.status });
    } catch (e) {
      log?.warn('Enrolment Target notification failed', { targetId: t.targetId, error: (e as Error).message });
    }
  }
}

const pemCertificate = (der: Uint8Array): string =>
  `-----BEGIN CERTIFICATE-----\n${Buffer.from(der)
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
    .replace(/\n$/, '')}\n-----END CERTIFICATE-----\n`;

/** A 404 in the oneM2M error shape (TS-0009 6.4: X-M2M-RSC 4004, {"m2m:dbg", code}), as the MEF answers. */
function onem2mNotFound(message: string) {
  const a = jsonAnswer(404, { 'm2m:dbg': message, code: 'NOT_FOUND' });
  return { ...a, rsc: ResponseStatusCode.NOT_FOUND, headers: { ...a.headers, 'cache-control': 'no-store' } };
}

/** The request-target's path is the mount point or below it. */
function under(url: string, prefix: string): boolean {
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  return path === prefix || path.startsWith(`${prefix}/`);
}
