// The Mmaf resources of the MAF (docs/maf.md), one TS-0003 8.8.2 procedure per file in procedures/,
// registered here and nowhere else; served by the shared HTTP edge on the MAF Handshake listeners.
import type { EdgeRoute } from '@m2msec/protocol';
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
