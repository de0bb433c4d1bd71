// The Mmaf resources of the MAF (docs/maf.md), one TS-0003 8.8.2 procedure per file in procedures/,
// registered here and nowhere else; served by the shared HTTP edge on the MAF Handshake listeners and,
// when configured, by the MQTT binding (mafMqttRoutes, docs/maf.md "Mmaf over MQTT").
import type { EdgeRoute } from '@m2msec/protocol';
import { MafError } from './lib/errors.js';
import { mafClientConfigurationRetrieval } from './procedures/client-configuration-retrieval.js';
import { mafClientDeregistration } from './procedures/client-deregistration.js';
import { mafClientRegistration } from './procedures/client-registration.js';
import { mafClientRegistrationUpdate } from './procedures/client-registration-update.js';
import { type MafRouteContext, mafRoute } from './procedures/context.js';
import { derivedKeyGrant } from './procedures/dk-grant.js';
import { derivedKeyRevocation } from './procedures/dk-revocation.js';
import { mafKeyDeregistration } from './procedures/key-deregistration.js';
import { mafKeyRegistration } from './procedures/key-registration.js';
import { mafKeyRegistrationUpdate } from './procedures/key-registration-update.js';
import { mafKeyRetrieval } from './procedures/key-retrieval.js';
import type { HostedTrustAnchors } from './trust-anchor/hosted-trust-anchors.js';

export function mafRoutes(ctx: MafRouteContext, anchors: HostedTrustAnchors): EdgeRoute[] {
  return [
    mafRoute('POST', '/maf/mafClientReg', mafClientRegistration(ctx)), // 8.8.2.3
    mafRoute('GET', '/maf/mafClientReg/:id/mafClientCfg', mafClientConfigurationRetrieval(ctx)), // 8.8.2.4
    mafRoute('PUT', '/maf/mafClientReg/:id', mafClientRegistrationUpdate(ctx)), // 8.8.2.5
    mafRoute('DELETE', '/maf/mafClientReg/:id', mafClientDeregistration(ctx)), // 8.8.2.6
    mafRoute('POST', '/maf/symmKeyReg', mafKeyRegistration(ctx)), // 8.8.2.7
    mafRoute('GET', '/maf/symmKeyReg/:rid', mafKeyRetrieval(ctx)), // 8.8.2.8
    mafRoute('PUT', '/maf/symmKeyReg/:rid', mafKeyRegistrationUpdate(ctx)), // 8.8.2.9
    mafRoute('DELETE', '/maf/symmKeyReg/:rid', mafKeyDeregistration(ctx)), // 8.8.2.10
    mafRoute('POST', '/maf/dkTrustAnchor/:taId/grants', derivedKeyGrant(ctx, anchors)),
    mafRoute('POST', '/maf/dkTrustAnchor/:taId/revocations', derivedKeyRevocation(ctx, anchors)),
  ];
}

/**
 * The Mmaf procedures over MQTT. The eight TS-0003 8.8.2.3-8.8.2.10 procedures run with the identity
 * the broker proved; what needs the MAF Handshake's own TLS session is refused with 4107
 * (SECURITY_ASSOCIATION_REQUIRED): an exporter key (key-registration.ts) and the DerivedKey grant and
 * revocation, whose K_RS-C and revocation rights m2msec binds to a MAF Handshake (docs/maf.md).
 */
export function mafMqttRoutes(ctx: MafRouteContext, anchors: HostedTrustAnchors): EdgeRoute[] {
  const handshakeOnly = async (): Promise<[number, unknown]> => {
    throw new MafError(
      'ASSOCIATION_REQUIRED',
      'the DerivedKey trust anchor is served over a MAF Handshake (8.8.2.2) only, not over MQTT',
    );
  };
  return mafRoutes(ctx, anchors).map((r) =>
    r.path.startsWith('/maf/dkTrustAnchor/') ? mafRoute(r.method, r.path, handshakeOnly) : r,
  );
}
