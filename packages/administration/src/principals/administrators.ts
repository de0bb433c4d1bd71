// Who may administer this CSE (TS-0003 6.2.3): a request has the system's fixed privileges
// (TS-0001 10.2.3) only when its From is an administrator principal's originator AND the security
// association that carried it proved that principal's credential. A 'development' allowance lets the
// configured originators act from a plain loopback connection (a local lab), never from elsewhere.
import type { IdContext, TransportContext } from '@m2msec/protocol';
import { credentialMatches } from './credential-match.js';
import type { AdministratorPrincipal } from './principal.js';
import { ReservedIdentities, spRelativeId } from './reserved-ids.js';

export interface AdministratorsOptions {
  idContext: IdContext;
  principals: readonly AdministratorPrincipal[];
  /**
   * Development profile only: these originators are administrators on a plain (no TLS, no
   * association) HTTP connection from a loopback address. Empty or absent in the secure profile.
   */
  plainLoopbackOriginators?: readonly string[];
  /** Further reserved IDs (e.g. a registrar's CSE-ID). */
  otherReservedIds?: readonly string[];
}

/** The administrator a request acts as, and how it was recognised. */
export interface AdministratorMatch {
  principal: AdministratorPrincipal;
  /** 'credential': proved by the association; 'plain-loopback': the development allowance. */
  via: 'credential' | 'plain-loopback';
}

const isLoopback = (a: string | undefined) =>
  a !== undefined && (a === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(a) || a.startsWith('::ffff:127.'));

export class Administrators {
  readonly reserved: ReservedIdentities;
  readonly #principals: Array<AdministratorPrincipal & { id: string }>;
  readonly #plain: Map<string, AdministratorPrincipal>;

  constructor(o: AdministratorsOptions) {
    this.#principals = o.principals.map((p) => {
      const id = spRelativeId(p.originator, o.idContext);
      if (!id || !/^(\/[^/]+\/C|\/S)/.test(id)) {
        throw new Error(`administrator '${p.name}': originator '${p.originator}' is not an AE-ID`);
      }
      return { ...p, id };
    });
    this.#plain = new Map();
    for (const a of o.plainLoopbackOriginators ?? []) {
      const id = spRelativeId(a, o.idContext);
      if (!id) throw new Error(`administrator originator '${a}' is not an AE-ID`);
      this.#plain.set(id, { name: `plain-loopback:${a}`, originator: a, credential: { credentialId: '(none)' } });
    }
    this.reserved = new ReservedIdentities({
      idContext: o.idContext,
      adminOriginators: [...this.#principals.map((p) => p.id), ...this.#plain.keys()],
      ...(o.otherReservedIds ? { others: o.otherReservedIds } : {}),
    });
  }

  /**
   * The administrator behind a request with this (SP-relative) originator over this transport;
   * undefined when there is none. A request relayed by another CSE is never an administrator's.
   */
  administratorOf(originator: string, transport: TransportContext): AdministratorMatch | undefined {
    for (const p of this.#principals) {
      if (p.id === originator && credentialMatches(p.credential, transport)) return { principal: p, via: 'credential' };
    }
    const plain = this.#plain.get(originator);
    if (
      plain &&
      transport.binding === 'http' &&
      !transport.tls &&
      !transport.association &&
      isLoopback(transport.peerAddress)
    ) {
      return { principal: plain, via: 'plain-loopback' };
    }
    return undefined;
  }

  /** The principals (for listing; credentials are identifiers, not secrets). */
  principals(): readonly AdministratorPrincipal[] {
    return this.#principals;
  }
}
