// Reading what an enrolment left in the enrolee's secure environment: the manifest, the PSK for an
// Enrolment Target (psk_identity = KeID, 8.3.2.1 "the Enrolee shall provide KeID as a symmetric key
// identifier"), and a consistency check used by operators and the crash tests.
import type { SecureEnvironment } from '@m2msec/secure-environment';
import { RSPF_PREFIX } from '../exchange/messages.js';
import type { EnrolmentManifest } from '../exchange/plan.js';
import { RspfError } from '../lib/errors.js';

/** The manifests of the enrolments present (normally one). */
export async function listEnrolments(se: SecureEnvironment): Promise<EnrolmentManifest[]> {
  const out: EnrolmentManifest[] = [];
  for (const label of await se.listCredentials()) {
    if (!label.startsWith(RSPF_PREFIX) || !label.endsWith('/manifest')) continue;
    const v = await se.readCredential(label);
    if (v) out.push(JSON.parse(Buffer.from(v).toString('utf8')) as EnrolmentManifest);
  }
  return out;
}

/** The current enrolment; refuses a missing or expired one (10.7: nothing outlives Ke). */
export async function currentEnrolment(se: SecureEnvironment, now = Date.now()): Promise<EnrolmentManifest> {
  const all = await listEnrolments(se);
  if (all.length === 0) throw new RspfError('NOT_FOUND', 'this secure environment holds no enrolment');
  const m = all.sort((a, b) => b.expirationTime - a.expirationTime)[0]!;
  if (now >= m.expirationTime) throw new RspfError('EXPIRED', `the enrolment ${m.keID} has expired: enrol again`);
  return m;
}

/** PSK identity and key for a target of the enrolment (for the SAEF client SDK). */
export async function targetPsk(
  se: SecureEnvironment,
  manifest: EnrolmentManifest,
  targetId: string,
  now = Date.now(),
): Promise<{ identity: string; key: Uint8Array; expiresAt: number }> {
  const t = manifest.targets.find((g) => g.targetId === targetId);
  if (!t) throw new RspfError('NOT_FOUND', `the enrolment ${manifest.keID} holds no key for '${targetId}'`);
  if (now >= t.expirationTime) throw new RspfError('EXPIRED', `the key for '${targetId}' has expired: enrol again`);
  return { identity: manifest.keID, key: await se.exportPskForTls(t.keyId), expiresAt: t.expirationTime };
}

/**
 * Every rspf/ entry belongs to a manifest and every manifest's entries are present: the property
 * atomic enrolment guarantees. Returns the problems found (empty: consistent).
 */
export async function checkEnrolmentSet(se: SecureEnvironment): Promise<string[]> {
  const problems: string[] = [];
  const keys = new Set((await se.listKeys()).map((k) => k.id).filter((id) => id.startsWith(RSPF_PREFIX)));
  const labels = new Set((await se.listCredentials()).filter((l) => l.startsWith(RSPF_PREFIX)));
  const owned = new Set<string>();
  for (const m of await listEnrolments(se)) {
    const expectKeys = [m.enrolmentKey, ...m.targets.map((t) => t.keyId)];
    const expectLabels = [
      `${RSPF_PREFIX}${m.keID}/manifest`,
      ...(m.certificate ? [m.certificate] : []),
      ...m.trustAnchors,
    ];
    for (const k of expectKeys) {
      if (!keys.has(k)) problems.push(`enrolment ${m.keID}: key ${k} missing`);
      owned.add(k);
    }
    for (const l of expectLabels) {
      if (!labels.has(l)) problems.push(`enrolment ${m.keID}: credential ${l} missing`);
      owned.add(l);
    }
  }
  for (const k of keys) if (!owned.has(k)) problems.push(`key ${k} belongs to no enrolment`);
  for (const l of labels) if (!owned.has(l)) problems.push(`credential ${l} belongs to no enrolment`);
  return problems;
}
