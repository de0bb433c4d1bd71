// HTTPS listeners for the PSK-based frameworks (Provisioned Symmetric Key SAEF, DerivedKey) and the
// Certificate-Based SAEF beside the plain HTTP one (docs/security-association.md). Each serves the
// same CSE through its own HTTP binding whose TransportContext carries what the TLS session proved.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo, Server as NetServer } from 'node:net';
import { applyConnectionLimits, createHttpBinding } from '@m2msec/binding-http';
import { gateNafHandshakes } from '@m2msec/gba';
import { handshakeCompleted, handshakeRefused, tlsHandshakeFailed } from '@m2msec/observability';
import { type EdgeRoute, errorLogFields, type RequestHandler } from '@m2msec/protocol';
import { CertificateRevocation, CrlFeed, pskIdentityOf } from '@m2msec/saef';
import {
  applyCertificateRevocation,
  associationTransportContext,
  certificateAssociationHandler,
  pskAssociationFramework,
  revocationServerOptions,
} from '@m2msec/security-association';
import type { Logger } from 'pino';
import { adminTransportOf } from './admin-routes.js';
import type { InCseAdministration } from './administration.js';
import type { InCseConfig } from './config.js';
import { requestListener } from './dispatch.js';
import type { InCseSecurity } from './security.js';

export interface TlsListener {
  framework: 'psk' | 'certificate';
  url: string;
  server: Server;
  /** Stops what the listener runs besides the server (the CRL feed). */
  close?: () => void;
  /** The certificate listener's CRLs, which the CoAP/DTLS certificate sessions are checked against too. */
  revocation?: Pick<CertificateRevocation, 'status'>;
}

/** A PEM value or the path of a file holding it (an embedder's inline PEM, createMnCse's mcc). */
const pemOrFile = (v: string): Buffer => (v.includes('-----BEGIN') ? Buffer.from(v) : readFileSync(v));

async function listen(server: Server | NetServer, host: string, port: number): Promise<AddressInfo> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server.address() as AddressInfo;
}

export async function startTlsListeners(
  config: InCseConfig & { registrar?: { cseId: string } },
  security: InCseSecurity,
  handler: RequestHandler,
  admin: readonly EdgeRoute[],
  administration: InCseAdministration,
  log: Logger,
  /** CRL contents (PEM / DER) given in memory, besides the files of security.certificate.crls. */
  inlineCrls: ReadonlyArray<string | Buffer> = [],
): Promise<TlsListener[]> {
  const out: TlsListener[] = [];
  // Handshakes that fail (wrong key, unknown identity, no or untrusted client certificate) are
  // authentication failures for the audit log; the TLS error code says why, never a key.
  const auditTlsError = (channel: string) => (e: Error, socket: { remoteAddress?: string }) =>
    administration.authenticationFailure({
      channel,
      ...(socket?.remoteAddress ? { peerAddress: socket.remoteAddress } : {}),
      reason: `TLS handshake failed: ${(e as { code?: string }).code ?? e.message}`,
    });
  // Per refusal at debug only: under a flood a line per dropped connection would be the next exhaustion.
  const limitRefused = (channel: string) => (why: string, peer: string) =>
    log.debug({ channel, why, peer }, 'connection refused (limits)');
  const app = (channel: string) => {
    const binding = createHttpBinding({
      handler: administration.audited(handler, channel),
      cseId: config.cse.cseId,
      cseBaseName: config.cse.cseBaseName,
      spId: config.cse.spId,
      maxBodyBytes: config.http.maxBodyBytes,
      transportContext: associationTransportContext({ registry: security.registry, bindings: security.bindings }),
      logger: ({ level, message, rqi, error }) =>
        log[level]({ rqi, ...(error === undefined ? {} : errorLogFields(error)) }, message),
    });
    return requestListener(binding, admin, adminTransportOf(security), (m, f) => log.warn(f, m));
  };
  const psk = config.security.psk;
  if (psk) {
    // One PSK identity router (security.pskSources): DerivedKey, MAF, RSPF KeIDs and GBA B-TIDs from their
    // prefetching key directories, then Kpsa; the association carries the facts the matcher gave.
    const framework = pskAssociationFramework({
      registry: security.registry,
      ...security.pskSources,
      tls13: psk.tls13,
      onEstablished: (framework) => handshakeCompleted(administration.metrics, framework),
      onRefused: (identity, reason, facts) => {
        handshakeRefused(log, administration.metrics, {
          framework: facts?.framework ?? 'psk',
          channel: 'https-psk',
          identity,
          reason,
          replay: facts?.code === 'DK_REPLAY',
          message: 'PSK handshake refused',
        });
        administration.authenticationFailure({ channel: 'https-psk', credential: `pskIdentity:${identity}`, reason });
      },
    });
    const server = createServer(framework.tlsOptions, app('https-psk'));
    applyConnectionLimits(server, config.limits, { tls: true, onRefused: limitRefused('https-psk') });
    server.on('secureConnection', framework.onSecureConnection);
    const auditPsk = auditTlsError('https-psk');
    server.on('tlsClientError', (e, socket) => {
      // A known identity whose handshake failed afterwards: a wrong key. An unknown or revoked identity
      // was refused (and logged) by the framework's onRefused already; one line per refusal.
      const identity = pskIdentityOf(socket);
      const code = (e as { code?: string }).code ?? e.message;
      if (identity) {
        tlsHandshakeFailed(log, administration.metrics, {
          framework: 'psk',
          channel: 'https-psk',
          code,
          identity,
          ...(socket.remoteAddress ? { peer: socket.remoteAddress } : {}),
        });
      } else log.debug({ channel: 'https-psk', code }, 'TLS handshake failed before a PSK was chosen');
      auditPsk(e, socket);
    });
    // GBA (security.gba): a device's first TLS 1.2 handshake with a new B-TID waits for its Ks_NAF over
    // the Zn (gba's handshake gate reads the psk_identity from the ClientKeyExchange); other identities
    // pass straight through. The gate listens; closing the HTTPS server closes it.
    const gate = security.gba ? gateNafHandshakes(server, security.gba.cache) : undefined;
    if (gate) server.once('close', () => gate.close());
    const a = gate ? await listen(gate, psk.host, psk.port) : await listen(server, psk.host, psk.port);
    out.push({ framework: 'psk', url: `https://${psk.host}:${a.port}`, server });
  }
  const cert = config.security.certificate;
  if (cert) {
    // CRLs (files re-read on change, the MEF's CRL fetched periodically) are checked by OpenSSL in the
    // handshake and per session in JavaScript; a change tears down live sessions of revoked certificates.
    const trustAnchors = cert.trustAnchors.map(pemOrFile);
    const revocation = new CertificateRevocation(trustAnchors);
    if (inlineCrls.length > 0) revocation.update(inlineCrls, (reason) => log.warn({ reason }, 'CRL refused'));
    const feed = new CrlFeed(revocation, {
      files: cert.crls,
      ...(cert.crl?.url ? { url: cert.crl.url } : {}),
      ...(cert.crl?.refreshSeconds !== undefined ? { refreshSeconds: cert.crl.refreshSeconds } : {}),
      ...(cert.crl?.startupTimeoutSeconds !== undefined
        ? { startupTimeoutSeconds: cert.crl.startupTimeoutSeconds }
        : {}),
      onError: (m) => log.warn({}, m),
    });
    await feed.start();
    const tls = { cert: pemOrFile(cert.cert), key: pemOrFile(cert.key), trustAnchors, tls13: cert.tls13 };
    const server = createServer(revocationServerOptions({ tls, revocation }), app('https-certificate'));
    applyConnectionLimits(server, config.limits, { tls: true, onRefused: limitRefused('https-certificate') });
    applyCertificateRevocation({ server, tls, revocation, registry: security.registry });
    revocation.onChange(() => log.info({ crls: revocation.crls.length }, 'CRLs updated'));
    server.on(
      'secureConnection',
      certificateAssociationHandler({
        registry: security.registry,
        // The IN-CSE of this SP (its public domain roots CSE-ID SANs): this CSE, or an MN-CSE's registrar.
        identityContext: { spId: config.cse.spId, inCseId: config.registrar?.cseId ?? config.cse.cseId },
        revocation,
        ownCseId: config.cse.cseId,
        onRefused: (reason) => {
          log.warn({ reason }, 'certificate session refused');
          administration.authenticationFailure({ channel: 'https-certificate', reason });
        },
      }),
    );
    const audit = auditTlsError('https-certificate');
    server.on('tlsClientError', (e, socket) => {
      tlsHandshakeFailed(log, administration.metrics, {
        framework: 'certificate',
        channel: 'https-certificate',
        code: (e as { code?: string }).code ?? e.message,
        ...(socket.remoteAddress ? { peer: socket.remoteAddress } : {}),
      });
      audit(e, socket);
    });
    const a = await listen(server, cert.host, cert.port);
    out.push({
      framework: 'certificate',
      url: `https://${cert.host}:${a.port}`,
      server,
      close: () => feed.close(),
      revocation,
    });
  }
  for (const s of out) s.server.keepAliveTimeout = 65_000;
  return out;
}
