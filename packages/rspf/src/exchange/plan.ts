// What one enrolment stores in the enrolee's secure environment, as a plan the MEF sends with the
// 'end' instruction. Both ends turn the plan into the same provisioning operations: the enrolee to
// stage them in one provisioning session, the MEF to rebuild the transcript it verifies the
// attestation against. Keys in the plan are named, never sent: each side derives them from its Ke.
import type { ProvisioningOperation } from '@m2msec/secure-environment';
import { deriveTargetKey, type EnrolmentTargetGrant } from '../keys/target-key.js';
import { fromB64 } from '../lib/bytes.js';
import { RspfError } from '../lib/errors.js';
import { type EndInstruction, type ProvisioningPlan, type ProvisioningPlanItem, RSPF_PREFIX } from './messages.js';

/** The record of a committed enrolment, stored last in the session (label `rspf/<KeID>/manifest`). */
export interface EnrolmentManifest {
  version: 1;
  keID: string;
  enroleeID: string;
  mefFqdn: string;
  /** Ke's lifetime (ms since epoch); no key below outlives it (10.7). */
  expirationTime: number;
  /** SE key id of Ke (usage derive). */
  enrolmentKey: string;
  targets: Array<EnrolmentTargetGrant & { expirationTime: number; keyId: string }>;
  /** SE credential label of the certificate, when the enrolment issued one. */
  certificate?: string;
  trustAnchors: string[];
}

export const enrolmentPrefix = (keId: string) => `${RSPF_PREFIX}${keId}/`;
export const manifestLabel = (keId: string) => `${enrolmentPrefix(keId)}manifest`;

export interface PlanInput {
  issuer: string;
  nonce: string;
  keId: string;
  enroleeId: string;
  expiresAt: number;
  targets: Array<EnrolmentTargetGrant & { expirationTime: number }>;
  certificate?: Uint8Array;
  trustAnchors: readonly Uint8Array[];
}

export function buildPlan(i: PlanInput): { plan: ProvisioningPlan; manifest: EnrolmentManifest } {
  const p = enrolmentPrefix(i.keId);
  const items: ProvisioningPlanItem[] = [{ kind: 'enrolment-key', id: `${p}Ke` }];
  const targets = i.targets.map((t, n) => {
    const id = `${p}key/${n}`;
    items.push({ kind: 'target-key', id, target: n });
    return { ...t, keyId: id };
  });
  const manifest: EnrolmentManifest = {
    version: 1,
    keID: i.keId,
    enroleeID: i.enroleeId,
    mefFqdn: i.issuer,
    expirationTime: i.expiresAt,
    enrolmentKey: `${p}Ke`,
    targets,
    trustAnchors: i.trustAnchors.map((_, n) => `${p}trust-anchor/${n}`),
  };
  if (i.certificate) {
    manifest.certificate = `${p}certificate`;
    items.push({
      kind: 'credential',
      label: manifest.certificate,
      value: Buffer.from(i.certificate).toString('base64'),
    });
  }
  for (const [n, ta] of i.trustAnchors.entries()) {
    items.push({ kind: 'credential', label: `${p}trust-anchor/${n}`, value: Buffer.from(ta).toString('base64') });
  }
  // The manifest goes last: a reader that finds it knows the whole set is there (and the session
  // commits all of it or none anyway).
  items.push({
    kind: 'credential',
    label: manifestLabel(i.keId),
    value: Buffer.from(JSON.stringify(manifest), 'utf8').toString('base64'),
  });
  return { plan: { issuer: i.issuer, nonce: i.nonce, items }, manifest };
}

/**
 * The enrolee's check of the plan against what it computed itself: everything lives under
 * `rspf/<its KeID>/`, one manifest that names its KeID and the grants of the 'end' instruction.
 */
export function checkPlan(end: EndInstruction, keId: string): EnrolmentManifest {
  if (end.keID !== keId)
    throw new RspfError('PROTOCOL', 'the MEF announced another KeID than the one this session exported');
  const p = enrolmentPrefix(keId);
  const items = end.provisioning?.items;
  if (!Array.isArray(items) || items.length === 0 || items.length > 64) {
    throw new RspfError('PROTOCOL', 'the provisioning plan must list 1-64 items');
  }
  let manifest: EnrolmentManifest | undefined;
  for (const it of items) {
    if (it?.kind !== 'enrolment-key' && it?.kind !== 'target-key' && it?.kind !== 'credential') {
      throw new RspfError('PROTOCOL', 'the provisioning plan holds an item of unknown kind');
    }
    const ref = it.kind === 'credential' ? it.label : it.id;
    if (typeof ref !== 'string' || !ref.startsWith(p)) {
      throw new RspfError('PROTOCOL', `plan item '${String(ref)}' lies outside this enrolment's ${p} namespace`);
    }
    if (it.kind === 'target-key' && !end.targets[it.target]) {
      throw new RspfError('PROTOCOL', `plan item '${ref}' names an unknown target`);
    }
    if (it.kind === 'credential' && ref === manifestLabel(keId)) {
      manifest = JSON.parse(fromB64(it.value, 'manifest').toString('utf8')) as EnrolmentManifest;
    }
  }
  if (!manifest || manifest.keID !== keId || manifest.enroleeID !== end.enroleeID) {
    throw new RspfError('PROTOCOL', 'the provisioning plan lacks a manifest for this KeID');
  }
  if (manifest.targets.some((t) => t.expirationTime > end.expirationTime)) {
    throw new RspfError('PROTOCOL', 'a target key would outlive Ke (TS-0003 10.7)');
  }
  return manifest;
}

/**
 * The provisioning operations of a plan, with key material derived from Ke. The caller wipes the
 * returned material (wipeOperations) once the session has it.
 */
export function planOperations(
  plan: ProvisioningPlan,
  ke: Uint8Array,
  targets: readonly EnrolmentTargetGrant[],
): ProvisioningOperation[] {
  return plan.items.map((it): ProvisioningOperation => {
    switch (it.kind) {
      case 'enrolment-key':
        return {
          op: 'import-key',
          spec: { id: it.id, algorithm: 'HMAC', label: 'Ke', usages: ['derive'] },
          material: Buffer.from(ke),
        };
      case 'target-key': {
        const g = targets[it.target];
        if (!g) throw new RspfError('PROTOCOL', `plan item '${it.id}' names an unknown target`);
        return {
          op: 'import-key',
          spec: { id: it.id, algorithm: 'HMAC', label: g.derivation, usages: ['mac', 'tls-psk'] },
          material: deriveTargetKey(ke, g),
        };
      }
      case 'credential':
        return { op: 'write-credential', label: it.label, value: fromB64(it.value, `credential ${it.label}`) };
      default:
        throw new RspfError('PROTOCOL', `unknown plan item kind '${String((it as { kind?: unknown }).kind)}'`);
    }
  });
}

export function wipeOperations(ops: readonly ProvisioningOperation[]): void {
  for (const o of ops) if (o.op === 'import-key') o.material.fill(0);
}
