// The registry of live security associations: binds each TLS session to the identity its handshake
// authenticated, ends it when its key or certificate expires, and tears associations down on request
// (revocation, credential deletion). Lookup is synchronous (the HTTP binding's builder is).
import type { TLSSocket } from 'node:tls';
import type { SecurityAssociation } from './association.js';

export interface RegistryOptions {
  now?: () => number;
  onTeardown?: (a: SecurityAssociation, reason: string) => void;
  /**
   * Each association's life (issue 19 item 2, lifecycle log lines): established, refused at establishment
   * (its credential already expired), closed (by the peer, or torn down with the reason). The association
   * holds identifiers and facts only, never key material.
   */
  onLifecycle?: (event: AssociationEvent, a: SecurityAssociation, facts: { reason?: string; peer?: string }) => void;
}

export type AssociationEvent = 'established' | 'refused' | 'closed';

// A gracefully torn-down socket is ended after GRACEFUL_END_MS and destroyed GRACEFUL_CLOSE_MS later.
const GRACEFUL_END_MS = 100;
const GRACEFUL_CLOSE_MS = 2000;
// setTimeout takes at most 2^31-1 ms.
const MAX_TIMER = 2 ** 31 - 1;

export class SecurityAssociationRegistry {
  readonly #bySocket = new WeakMap<TLSSocket, SecurityAssociation>();
  readonly #live = new Set<TLSSocket>();
  readonly #now: () => number;

  constructor(private readonly o: RegistryOptions = {}) {
    this.#now = o.now ?? Date.now;
  }

  /** Binds a socket whose handshake completed; refuses (destroys) one whose credential already expired. */
  establish(socket: TLSSocket, a: Omit<SecurityAssociation, 'establishedAt'>): SecurityAssociation | undefined {
    const sa: SecurityAssociation = { ...a, establishedAt: this.#now() };
    const peer = socket.remoteAddress ?? '';
    if (sa.expiresAt !== undefined && sa.expiresAt <= sa.establishedAt) {
      this.o.onLifecycle?.('refused', sa, { reason: 'credential expired', peer });
      this.end(socket, sa, 'credential expired', false, false);
      return undefined;
    }
    this.#bySocket.set(socket, sa);
    this.#live.add(socket);
    this.o.onLifecycle?.('established', sa, { peer });
    let timer: NodeJS.Timeout | undefined;
    const arm = () => {
      if (sa.expiresAt === undefined) return;
      const left = sa.expiresAt - this.#now();
      if (left <= 0) return this.end(socket, sa, 'credential expired');
      timer = setTimeout(arm, Math.min(left, MAX_TIMER));
      timer.unref();
    };
    arm();
    socket.once('close', () => {
      if (timer) clearTimeout(timer);
      // Still bound: closed by the peer (or the server), not torn down (end() said that already).
      if (this.#bySocket.get(socket) === sa) this.o.onLifecycle?.('closed', sa, { reason: 'connection closed', peer });
      this.#live.delete(socket);
    });
    return sa;
  }

  associationOf(socket: TLSSocket): SecurityAssociation | undefined {
    return this.#bySocket.get(socket);
  }

  /**
   * Tears down every live association the predicate selects; returns how many. The association is
   * gone at once (a later request on its socket finds none: SECURITY_ASSOCIATION_REQUIRED). The
   * socket is destroyed at once, or with `graceful` ended shortly after, so that a response already
   * being produced on it (e.g. the 2002 of the DELETE that deregistered the AE) still reaches the
   * client before close_notify.
   */
  teardown(select: (a: SecurityAssociation) => boolean, reason: string, o: { graceful?: boolean } = {}): number {
    let n = 0;
    for (const s of [...this.#live]) {
      const a = this.#bySocket.get(s);
      if (a && select(a)) {
        this.end(s, a, reason, o.graceful);
        n++;
      }
    }
    return n;
  }

  teardownCredential(credentialId: string, reason = 'credential revoked'): number {
    return this.teardown((a) => a.credentialId === credentialId, reason);
  }

  /** The live associations with their peer address, for an administrator's view (docs/console.md). */
  live(): Array<SecurityAssociation & { peerAddress: string }> {
    const out: Array<SecurityAssociation & { peerAddress: string }> = [];
    for (const s of this.#live) {
      const a = this.#bySocket.get(s);
      if (a) out.push({ ...a, peerAddress: s.remoteAddress ?? '' });
    }
    return out;
  }

  get size(): number {
    return this.#live.size;
  }

  private end(socket: TLSSocket, a: SecurityAssociation, reason: string, graceful = false, live = true): void {
    if (live) this.o.onLifecycle?.('closed', a, { reason, peer: socket.remoteAddress ?? '' });
    this.#live.delete(socket);
    this.#bySocket.delete(socket);
    if (graceful) {
      // End after the current turn's writes; destroy if the peer does not close in time.
      setTimeout(() => {
        socket.end();
        setTimeout(() => socket.destroy(), GRACEFUL_CLOSE_MS).unref();
      }, GRACEFUL_END_MS).unref();
    } else {
      socket.destroy();
    }
    this.o.onTeardown?.(a, reason);
  }
}
