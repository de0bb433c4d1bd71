// The registry of live security associations: binds each TLS session to the identity its handshake
// authenticated, ends it when its key or certificate expires, and tears associations down on request
// (revocation, credential deletion). Lookup is synchronous (the HTTP binding's builder is).
import type { TLSSocket } from 'node:tls';
import type { SecurityAssociation } from './association.js';

export interface RegistryOptions {
  now?: () => number;
  onTeardown?: (a: SecurityAssociation, reason: string) => void;
}

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
    if (sa.expiresAt !== undefined && sa.expiresAt <= sa.establishedAt) {
      this.end(socket, sa, 'credential expired');
      return undefined;
    }
    this.#bySocket.set(socket, sa);
    this.#live.add(socket);
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
      this.#live.delete(socket);
    });
    return sa;
  }

  associationOf(socket: TLSSocket): SecurityAssociation | undefined {
    return this.#bySocket.get(socket);
  }

  /** Tears down every live association the predicate selects; returns how many. */
  teardown(select: (a: SecurityAssociation) => boolean, reason: string): number {
    let n = 0;
    for (const s of [...this.#live]) {
      const a = this.#bySocket.get(s);
      if (a && select(a)) {
        this.end(s, a, reason);
        n++;
      }
    }
    return n;
  }

  teardownCredential(credentialId: string, reason = 'credential revoked'): number {
    return this.teardown((a) => a.credentialId === credentialId, reason);
  }

  get size(): number {
    return this.#live.size;
  }

  private end(socket: TLSSocket, a: SecurityAssociation, reason: string): void {
    this.#live.delete(socket);
    this.#bySocket.delete(socket);
    socket.destroy();
    this.o.onTeardown?.(a, reason);
  }
}
