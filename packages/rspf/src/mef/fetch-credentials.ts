// RETRIEVE /fetchCredentials/<KeID>/<SUID> at the MEF (TS-0003 8.3.2.1 "Use of Remotely Provisioned
// Credential", steps f.i-f.vii): find Ke for KeID, check that the originator is an Enrolment Target
// of that enrolment for that SUID (and that the TLS session proved that originator), derive the key
// and answer Table 8.3.2.1-5; any failure answers Table 8.3.2.1-6.
import { parseKeID, parseSuid } from '@m2msec/crypto';
import { deriveTargetKey } from '../keys/target-key.js';
import { wipe } from '../lib/bytes.js';
import { RspfError } from '../lib/errors.js';
import type { EnrolmentRepository, KeyVault } from './types.js';

export const FETCH_CREDENTIALS_PATH = '/fetchCredentials';

export interface FetchCredentialsRequest {
  keId: string;
  suid: string;
  /** X-M2M-Origin: the Enrolment Target's AE-ID / CSE-ID / MAF-ID. */
  originator: string | undefined;
  /** Target IDs the TLS session's credential may speak for (MEF configuration). */
  authenticatedTargetIds: readonly string[];
}

/** Table 8.3.2.1-5 / -6. */
export type FetchCredentialsBody =
  | { status: true; credential: string; enroleeID: string; lifetime: number }
  | { status: false; errorString: string };

export interface FetchCredentialsAnswer {
  rsc: number;
  body: FetchCredentialsBody;
}

export interface FetchCredentialsOptions {
  mefFqdn: string;
  repository: EnrolmentRepository;
  vault: KeyVault;
  now?: () => number;
}

export async function answerFetchCredentials(
  req: FetchCredentialsRequest,
  o: FetchCredentialsOptions,
): Promise<FetchCredentialsAnswer> {
  try {
    return { rsc: 2000, body: await fetchCredentials(req, o) };
  } catch (e) {
    const err = e instanceof RspfError ? e : new RspfError('INTERNAL', 'the credential could not be derived');
    return { rsc: err.rsc, body: { status: false, errorString: err.message } };
  }
}

async function fetchCredentials(
  req: FetchCredentialsRequest,
  o: FetchCredentialsOptions,
): Promise<FetchCredentialsBody & { status: true }> {
  const now = (o.now ?? Date.now)();
  let suid: number;
  try {
    suid = parseSuid(req.suid);
  } catch (e) {
    throw new RspfError('BAD_REQUEST', (e as Error).message);
  }
  try {
    if (parseKeID(req.keId).mefFqdn.toLowerCase() !== o.mefFqdn.toLowerCase()) {
      throw new RspfError('NOT_FOUND', `KeID '${req.keId}' was not issued by ${o.mefFqdn}`);
    }
  } catch (e) {
    if (e instanceof RspfError) throw e;
    throw new RspfError('BAD_REQUEST', `'${req.keId}' is not a KeID (hexBinary(RelativeKeID)@MEF-FQDN)`);
  }
  const target = req.originator;
  if (!target) throw new RspfError('BAD_REQUEST', 'the request needs the Enrolment Target ID as originator');
  if (!req.authenticatedTargetIds.includes(target)) {
    throw new RspfError('FORBIDDEN', `the security association does not authenticate originator '${target}'`);
  }
  const record = await o.repository.get(req.keId);
  if (!record || record.state === 'pending') {
    // A pending enrolment was never attested: its Ke does not exist as far as targets are concerned.
    throw new RspfError('NOT_FOUND', `no completed enrolment for KeID '${req.keId}'`);
  }
  if (record.state === 'revoked') throw new RspfError('FORBIDDEN', `the enrolment of KeID '${req.keId}' was revoked`);
  if (now >= record.expiresAt) throw new RspfError('EXPIRED', `the enrolment of KeID '${req.keId}' has expired`);
  const grant = record.targets.find((t) => t.targetId === target && t.suid === suid);
  if (!grant) {
    throw new RspfError('FORBIDDEN', `'${target}' is not an Enrolment Target of KeID '${req.keId}' for SUID ${suid}`);
  }
  if (now >= grant.expirationTime) throw new RspfError('EXPIRED', `the key for '${target}' has expired`);
  const ke = await o.vault.open('Ke', record.keId, record.sealedKe);
  const key = deriveTargetKey(ke, grant);
  try {
    return {
      status: true,
      credential: key.toString('base64'),
      enroleeID: record.enroleeId,
      lifetime: Math.min(grant.expirationTime, record.expiresAt),
    };
  } finally {
    wipe(ke, key);
  }
}
