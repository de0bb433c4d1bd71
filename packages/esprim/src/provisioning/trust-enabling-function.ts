// Remote provisioning of end-to-end credentials (TS-0003 8.6): the Source ESF End-Point's side (generate
// or derive, then register with a Trust Enabling Function) and the TEF's side (keep the registration,
// provision it only to an authorized Target ESF End-Point, 8.6.3 "Trust Enabling Function is configured
// with ... b) Identity of Target ESF End-Point").
//
// Two variants:
//  - Source-generated (8.6.3): the Source draws a random value, derives the E2E keys from it (10.3.6.1
//    NOTE) and registers the random value, Salt and labels under a Credential-ID with the targets allowed.
//  - MEF-provisioned (8.6.2, 8.3, 10.3.7): Source and MEF share Ke from the bootstrap; the key for an
//    Enrolment Target is the usage-constrained key HMAC-SHA-256(Ke, label || SUID || Target-ID) with SUID
//    23 (RSPF ESPrim), 24 / 25 (RSPF ESData encryption / signature); the Target fetches it from the MEF.
import { randomBytes } from 'node:crypto';
import { deriveUsageConstrainedKey, formatCredentialID, Suid } from '@m2msec/crypto';
import { M2MError, ResponseStatusCode } from '@m2msec/protocol';
import { deriveE2EKeys, type E2EKeys } from './e2e-keys.js';

/** What a Source registers at the TEF: enough for an authorized Target to derive the same keys (8.6.3 a). */
export interface E2ECredentialRegistration {
  readonly credentialId: string;
  readonly sourceId: string;
  readonly targetIds: readonly string[];
  /** The random value (Source-generated) from which Ke2e_master is extracted. */
  readonly keyingMaterial: Buffer;
  readonly kdf: 'TS-0003 10.3.6 HMAC-SHA256, Salt = Source ESF End-Point ID';
  readonly expiresAt?: number;
}

export interface SourceGeneratedCredential {
  readonly registration: E2ECredentialRegistration;
  readonly keys: E2EKeys;
}

/** 8.6.3: a Source-generated end-to-end credential for 1..n Target ESF End-Points. */
export function generateSourceCredential(o: {
  sourceId: string;
  targetIds: readonly string[];
  /** Relative part of the Credential-ID value; default random. */
  relativeId?: string;
  tefFqdn: string;
  lifetimeMs?: number;
  now?: number;
}): SourceGeneratedCredential {
  if (o.targetIds.length === 0)
    throw new M2MError(
      ResponseStatusCode.BAD_REQUEST,
      'an end-to-end credential needs at least one Target ESF End-Point',
    );
  const keyingMaterial = randomBytes(32);
  // Credential-ID of TS-0003 10.4: type 14 (ESData / E2E symmetric key) with "<relative>@<TEF FQDN>".
  const credentialId = formatCredentialID(14, `${o.relativeId ?? randomBytes(8).toString('hex')}@${o.tefFqdn}`);
  return {
    registration: {
      credentialId,
      sourceId: o.sourceId,
      targetIds: [...o.targetIds],
      keyingMaterial,
      kdf: 'TS-0003 10.3.6 HMAC-SHA256, Salt = Source ESF End-Point ID',
      ...(o.lifetimeMs ? { expiresAt: (o.now ?? Date.now()) + o.lifetimeMs } : {}),
    },
    keys: deriveE2EKeys(keyingMaterial, o.sourceId),
  };
}

/** 8.6.2 / 10.3.7: the MEF-provisioned pairwise key for one usage and one Enrolment Target. */
export function mefProvisionedKey(ke: Uint8Array, suid: 23 | 24 | 25, enrolmentTargetId: string): Buffer {
  if (![Suid.RspfEsprim, Suid.RspfEsdataEncryption, Suid.RspfEsdataSignature].includes(suid))
    throw new M2MError(ResponseStatusCode.BAD_REQUEST, `SUID ${suid} is not an RSPF end-to-end usage (23, 24, 25)`);
  return deriveUsageConstrainedKey(ke, suid, enrolmentTargetId);
}

/** 8.6.2 with Kpsa: the E2E keys both the Source and the Target derive after RSPF provisioning. */
export function rspfE2EKeys(kpsa: Uint8Array, sourceId: string): E2EKeys {
  return deriveE2EKeys(kpsa, sourceId);
}

/** An in-memory Trust Enabling Function registry (a MEF or MAF backs it with its store). */
export class E2ECredentialRegistry {
  private readonly byId = new Map<string, E2ECredentialRegistration>();
  constructor(private readonly now: () => number = Date.now) {}

  /** Credential Registration: only the Source itself may register (the TEF authenticated it over TLS). */
  register(authenticatedSource: string, r: E2ECredentialRegistration): void {
    if (authenticatedSource !== r.sourceId)
      throw new M2MError(
        ResponseStatusCode.ORIGINATOR_HAS_NO_PRIVILEGE,
        'a Source registers only its own end-to-end credentials',
      );
    if (this.byId.has(r.credentialId))
      throw new M2MError(ResponseStatusCode.CONFLICT, 'this Credential-ID is already registered');
    this.byId.set(r.credentialId, { ...r, keyingMaterial: Buffer.from(r.keyingMaterial), targetIds: [...r.targetIds] });
  }

  /** Credential Provisioning: the keys for an authenticated Target named in the registration, else 4103. */
  provision(authenticatedTarget: string, credentialId: string): { sourceId: string; keys: E2EKeys } {
    const r = this.byId.get(credentialId);
    if (!r || (r.expiresAt !== undefined && r.expiresAt <= this.now()))
      throw new M2MError(ResponseStatusCode.NOT_FOUND, 'no end-to-end credential with this Credential-ID');
    if (!r.targetIds.includes(authenticatedTarget))
      throw new M2MError(
        ResponseStatusCode.ORIGINATOR_HAS_NO_PRIVILEGE,
        'this Target ESF End-Point is not authorized for the credential',
      );
    return { sourceId: r.sourceId, keys: deriveE2EKeys(r.keyingMaterial, r.sourceId) };
  }
}
