// Stateful 4-pass: what the server keeps between KeyProvServerHello and KeyProvClientNonce.
import type { FourPassEncryptionUri, KeyTypeUri, MacAlgorithmUri } from '../lib/uris.js';

export interface FourPassSession {
  sessionId: string;
  clientId: string;
  /** R_S */
  serverNonce: Uint8Array;
  keyType: KeyTypeUri;
  macAlgorithm: MacAlgorithmUri;
  /** How R_C is encrypted in pass 3. Default kw-aes128. */
  encryptionAlgorithm?: FourPassEncryptionUri;
  expiresAt: number;
  /** KeyProvClientHello and KeyProvServerHello as received and sent: msg_1, msg_2 of the key confirmation (4.2.4). */
  messages: readonly [string, string];
}

export interface SessionStore {
  put(session: FourPassSession): Promise<void>;
  /** The session, completed or not; undefined when unknown (or forgotten after expiry). */
  get(sessionId: string): Promise<{ session: FourPassSession; completed: boolean } | undefined>;
  /** Marks the session completed; false if it already was (a replayed or concurrent pass 3). */
  complete(sessionId: string): Promise<boolean>;
}

/**
 * Per-process sessions. Entries stay until twice their lifetime has passed, so a late pass 3 is told
 * ProvisioningPeriodExpired and a replay is recognised, then they are swept.
 */
export class MemorySessionStore implements SessionStore {
  private readonly sessions = new Map<string, { session: FourPassSession; completed: boolean; forgetAt: number }>();
  private lastSweep = 0;

  constructor(private readonly now: () => number = Date.now) {}

  async put(session: FourPassSession): Promise<void> {
    const now = this.now();
    this.sweep(now);
    const lifetime = Math.max(0, session.expiresAt - now);
    this.sessions.set(session.sessionId, { session, completed: false, forgetAt: session.expiresAt + lifetime });
  }

  async get(sessionId: string) {
    const entry = this.sessions.get(sessionId);
    return entry ? { session: entry.session, completed: entry.completed } : undefined;
  }

  async complete(sessionId: string): Promise<boolean> {
    const entry = this.sessions.get(sessionId);
    if (!entry || entry.completed) return false;
    entry.completed = true;
    return true;
  }

  get size(): number {
    return this.sessions.size;
  }

  private sweep(now: number): void {
    if (now - this.lastSweep < 1000) return;
    this.lastSweep = now;
    for (const [id, e] of this.sessions) if (e.forgetAt <= now) this.sessions.delete(id);
  }
}
