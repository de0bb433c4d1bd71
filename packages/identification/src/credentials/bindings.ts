// Credential-ID -> identities (TS-0003 8.2.1): after an association authenticated a credential that
// does not itself name the entity (Kpsa, Km/Kc, raw public key, device or Node-ID certificate), the
// receiving CSE resolves the Credential-ID to one CSE-ID or to the AE-IDs (and App-IDs) it may use.
import { type IdContext, parseOriginator, toSpRelativeOriginator } from '@m2msec/protocol';
import { badRequest, show } from '../lib/errors.js';
import { parseCredentialId } from './credential-id.js';

export type CredentialBinding =
  | { readonly kind: 'cse' /** SP-relative within this SP, absolute otherwise. */; readonly cseId: string }
  | {
      readonly kind: 'ae';
      /** Allowed AE-IDs, SP-relative within this SP, absolute otherwise. */
      readonly aeIds: readonly string[];
      /** App-IDs the AE(s) may register with; absent: not restricted by the binding. */
      readonly appIds?: readonly string[];
    };

/** The registry; implementations must return normalised, immutable bindings. */
export interface CredentialBindings {
  get(credentialId: string): Promise<CredentialBinding | undefined>;
  /** Replaces the binding of a credential (4000 when a part is malformed; nothing is stored then). */
  set(credentialId: string, binding: CredentialBinding): Promise<void>;
  /** Adds an AE-ID a registrar assigned to an AE authenticated by this credential (TS-0003 8.2.1). */
  addAeId(credentialId: string, aeId: string): Promise<void>;
  delete(credentialId: string): Promise<boolean>;
}

/** Normalises and validates a binding against the CSE's ID context; returns a frozen copy. */
export function normaliseBinding(binding: CredentialBinding, ctx: IdContext): CredentialBinding {
  if (binding.kind === 'cse') {
    const o = parseOriginator(binding.cseId);
    if (o.kind !== 'cse') badRequest(`binding CSE-ID ${show(binding.cseId)} is not a CSE-ID`);
    return Object.freeze({ kind: 'cse', cseId: toSpRelativeOriginator(o, ctx) });
  }
  if (binding.kind !== 'ae') badRequest('a credential binding is of kind "cse" or "ae"');
  const aeIds = binding.aeIds.map((id) => normaliseAeId(id, ctx));
  const appIds = binding.appIds?.map((a) => {
    if (typeof a !== 'string' || a.length === 0) badRequest(`binding App-ID ${show(a)} is empty`);
    return a;
  });
  return Object.freeze({
    kind: 'ae',
    aeIds: Object.freeze([...new Set(aeIds)]),
    ...(appIds ? { appIds: Object.freeze([...new Set(appIds)]) } : {}),
  });
}

function normaliseAeId(id: string, ctx: IdContext): string {
  const o = parseOriginator(id);
  if ((o.kind !== 'ae-c' && o.kind !== 'ae-s') || (o.stem?.length ?? 0) < 2) {
    badRequest(`binding AE-ID ${show(id)} is not an AE-ID`);
  }
  return toSpRelativeOriginator(o, ctx);
}

export class InMemoryCredentialBindings implements CredentialBindings {
  readonly #map = new Map<string, CredentialBinding>();
  constructor(private readonly ctx: IdContext) {}

  async get(credentialId: string): Promise<CredentialBinding | undefined> {
    return this.#map.get(parseCredentialId(credentialId).id);
  }

  async set(credentialId: string, binding: CredentialBinding): Promise<void> {
    const key = parseCredentialId(credentialId).id;
    this.#map.set(key, normaliseBinding(binding, this.ctx));
  }

  async addAeId(credentialId: string, aeId: string): Promise<void> {
    const key = parseCredentialId(credentialId).id;
    const id = normaliseAeId(aeId, this.ctx);
    const current = this.#map.get(key);
    if (current?.kind === 'cse') {
      badRequest(`credential ${show(key)} is bound to CSE-ID ${show(current.cseId)}, not to AEs`);
    }
    if (current?.aeIds.includes(id)) return;
    const next: CredentialBinding = { kind: 'ae', aeIds: [...(current?.aeIds ?? []), id], appIds: current?.appIds };
    this.#map.set(key, normaliseBinding(next, this.ctx));
  }

  async delete(credentialId: string): Promise<boolean> {
    return this.#map.delete(parseCredentialId(credentialId).id);
  }
}

/** The identities a security association is bound to (TransportContext.association.boundIds). */
export function boundIdsOf(binding: CredentialBinding): readonly string[] {
  return binding.kind === 'cse' ? [binding.cseId] : binding.aeIds;
}
