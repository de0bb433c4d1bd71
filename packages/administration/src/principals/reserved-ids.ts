// Identities the system reserves (DESIGN.md section 7): the administrators' originators, this CSE's
// own CSE-ID and its registrar's. No AE may request, be assigned or be bound to one of them, whatever
// a <serviceSubscribedAppRule> allows (TS-0004 7.3.2.7: the registration is refused with 4126), and
// no request may use one as From without the administrator's credential (TS-0004 7.3.2.1: 4106).
import { type IdContext, parseOriginator, toSpRelativeOriginator } from '@m2msec/protocol';

export interface ReservedIdentitiesOptions {
  idContext: IdContext;
  /** Administrators' originators ('CAdmin', '/id-in/CAdmin', ...). */
  adminOriginators: readonly string[];
  /** Further reserved IDs (e.g. the registrar's CSE-ID). */
  others?: readonly string[];
}

/** SP-relative form of an AE-ID or CSE-ID; undefined when it is neither. */
export function spRelativeId(id: string, idContext: IdContext): string | undefined {
  try {
    const o = parseOriginator(id);
    return o.kind === 'other' ? undefined : toSpRelativeOriginator(o, idContext);
  } catch {
    return undefined;
  }
}

export class ReservedIdentities {
  readonly #ids = new Set<string>();
  readonly #admins = new Set<string>();

  constructor(private readonly o: ReservedIdentitiesOptions) {
    for (const a of o.adminOriginators) {
      const id = spRelativeId(a, o.idContext);
      if (!id) throw new Error(`administrator originator '${a}' is not an AE-ID`);
      this.#admins.add(id);
      this.#ids.add(id);
    }
    this.#ids.add(o.idContext.cseId);
    for (const x of o.others ?? []) {
      const id = spRelativeId(x, o.idContext);
      if (id) this.#ids.add(id);
    }
  }

  /** True for an administrator's originator (any accepted form: 'CAdmin', '/id-in/CAdmin', absolute). */
  isAdministratorOriginator(id: string): boolean {
    const n = spRelativeId(id, this.o.idContext);
    return n !== undefined && this.#admins.has(n);
  }

  /** True for any reserved ID, in any accepted form. */
  isReserved(id: string): boolean {
    const n = spRelativeId(id, this.o.idContext);
    return n !== undefined && this.#ids.has(n);
  }

  /** The reserved IDs, SP-relative. */
  list(): string[] {
    return [...this.#ids];
  }
}
