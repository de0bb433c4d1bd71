// Replay protection for ESPrim Objects. TS-0003 8.4 has no sequence number: an ESPrim Object is a
// standalone AEAD message under a session key that lives as long as its rand objects. The guard keeps, per
// session (kid, ori, rri), the authentication tags already accepted until the session expires; a second
// object with the same tag is refused. Entries are added only after the tag verified (a forger cannot fill
// the guard), and the per-session bound forces a fresh originator rand object rather than unbounded memory.
export type ReplayVerdict = 'fresh' | 'replayed' | 'full';

interface SessionEntry {
  readonly expiresAt: number;
  readonly seen: Set<string>;
}

export class ESPrimReplayGuard {
  private readonly sessions = new Map<string, SessionEntry>();
  constructor(
    private readonly maxPerSession = 1 << 16,
    private readonly maxSessions = 1 << 14,
  ) {}

  /** Records `tag` for the session; call only after the object's tag verified. */
  check(sessionId: string, tag: Uint8Array, sessionExpiresAt: number, now: number): ReplayVerdict {
    let s = this.sessions.get(sessionId);
    if (!s) {
      if (this.sessions.size >= this.maxSessions) this.prune(now);
      if (this.sessions.size >= this.maxSessions) return 'full';
      s = { expiresAt: sessionExpiresAt, seen: new Set() };
      this.sessions.set(sessionId, s);
    }
    const key = Buffer.from(tag).toString('base64');
    if (s.seen.has(key)) return 'replayed';
    if (s.seen.size >= this.maxPerSession) return 'full';
    s.seen.add(key);
    return 'fresh';
  }

  prune(now: number): void {
    for (const [id, s] of this.sessions) if (s.expiresAt <= now) this.sessions.delete(id);
  }

  get size(): number {
    return this.sessions.size;
  }
}
