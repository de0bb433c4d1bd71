// HTTPS listeners for the PSK-based frameworks (Provisioned Symmetric Key SAEF, DerivedKey) and the
// Certificate-Based SAEF beside the plain HTTP one (docs/security-association.md). Each serves the
// same CSE through its own HTTP binding whose TransportContext carries what the TLS session proved.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo, Server as NetServer } from 'node:net';
import { createHttpBinding } from '@m2msec/binding-http';
import { gateNafHandshakes } from '@m2msec/gba';
import type { RequestHandler } from '@m2msec/protocol';
import { withEnrolmentKeys } from '@m2msec/rspf';
import { certificateServerOptions } from '@m2msec/saef';
import {
  associationTransportContext,
  certificateAssociationHandler,
  pskAssociationFramework,
} from '@m2msec/security-association';
import type { Router } from 'express';
import type { Logger } from 'pino';
import type { InCseConfig } from './config.js';
import { requestListener } from './dispatch.js';
import { withGbaCredentialIds, withGbaKeys } from './gba-target.js';
import type { InCseSecurity } from './security.js';

export interface TlsListener {
  framework: 'psk' | 'certificate';
  url: string;
  server: Server;
}

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
  config: InCseConfig,
  security: InCseSecurity,
  handler: RequestHandler,
  admin: Router,
  log: Logger,
): Promise<TlsListener[]> {
  const out: TlsListener[] = [];
  const idContext = { spId: config.cse.spId, cseId: config.cse.cseId };
  const app = () => {
    const binding = createHttpBinding({
      handler,
      cseId: config.cse.cseId,
      cseBaseName: config.cse.cseBaseName,
      spId: config.cse.spId,
      maxBodyBytes: config.http.maxBodyBytes,
      transportContext: associationTransportContext({ registry: security.registry, bindings: security.bindings }),
      logger: ({ level, message, rqi, error }) => log[level]({ rqi, err: (error as Error)?.name }, message),
    });
    return requestListener(binding, [admin], (m, f) => log.warn(f, m));
  };
  const psk = config.security.psk;
  if (psk) {
    const kpsa = security.rspfKeys ? withEnrolmentKeys(security.kpsa, security.rspfKeys) : security.kpsa;
    const framework = pskAssociationFramework({
      registry: security.gba ? withGbaCredentialIds(security.registry, security.gba) : security.registry,
      idContext,
      kpsa: security.gba ? withGbaKeys(kpsa, security.gba) : kpsa,
      ...(security.derivedKey ? { derivedKey: security.derivedKey } : {}),
      ...(security.maf ? { maf: security.maf.keys } : {}),
      tls13: psk.tls13,
      onRefused: (identity, reason) => log.warn({ identity, reason }, 'PSK handshake refused'),
    });
    const server = createServer(framework.tlsOptions, app());
    server.on('secureConnection', framework.onSecureConnection);
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
    const server = createServer(
      certificateServerOptions({
        cert: readFileSync(cert.cert),
        key: readFileSync(cert.key),
        trustAnchors: cert.trustAnchors.map((f) => readFileSync(f)),
        crls: cert.crls.map((f) => readFileSync(f)),
        tls13: cert.tls13,
      }),
      app(),
    );
    server.on(
      'secureConnection',
      certificateAssociationHandler({
        registry: security.registry,
        identityContext: { spId: config.cse.spId, inCseId: config.cse.cseId },
        onRefused: (reason) => log.warn({ reason }, 'certificate session refused'),
      }),
    );
    server.on('tlsClientError', (e) => log.info({ code: (e as { code?: string }).code }, 'TLS handshake failed'));
    const a = await listen(server, cert.host, cert.port);
    out.push({ framework: 'certificate', url: `https://${cert.host}:${a.port}`, server });
  }
  for (const s of out) s.server.keepAliveTimeout = 65_000;
  return out;
}
