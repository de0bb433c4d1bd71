// The MAF's admin API (packages/maf/src/admin/router.ts) for the console: MAF clients, client
// registrations (8.8.2), key registrations and their deregistration, DerivedKey trust anchors.
// Metadata only: the MAF never returns key bytes.
import { ActionError } from './actions.js';
import type { AdminApiClient } from './mef-client.js';

export const mafClients = (maf: AdminApiClient) => maf.ok('MAF clients', 'GET', '/admin/clients');
export const mafRegistrations = (maf: AdminApiClient) => maf.ok('MAF client registrations', 'GET', '/admin/clientRegs');
export const mafKeyRegistrations = (maf: AdminApiClient) => maf.ok('MAF key registrations', 'GET', '/admin/keyRegs');
export const mafTrustAnchors = (maf: AdminApiClient) => maf.ok('MAF trust anchors', 'GET', '/admin/trust-anchors');

/** Stops the MAF distributing a key; the MAF tells the targets. */
export async function mafDeregisterKey(maf: AdminApiClient, rid: string) {
  if (!rid) throw new ActionError('the RelativeKeyID is required', 400);
  return maf.ok(`deregistration of key ${rid}`, 'DELETE', `/admin/keyRegs/${encodeURIComponent(rid)}`);
}
