// Server-side sessions: a 256-bit random id in an HttpOnly, SameSite=Strict cookie (Secure when the
// console serves TLS), a synchronizer CSRF token per session, idle and absolute time-outs. A new id is
// issued at sign-in (no fixation); sign-out and time-out delete the session.
import { randomBytes, timingSafeEqual } from 'node:crypto';

export interface Session {
  id: string;
  /** Empty before sign-in (the sign-in form's CSRF token lives in such a session). */
  account: string;
  csrf: string;
  createdAt: number;
  lastSeen: number;
}

export const COOKIE = 'm2msec_console';
/** Pre-sign-in sessions kept at most (the oldest go first; a signed-in session is never dropped for them). */
export const MAX_ANONYMOUS = 10_000;

export class Sessions {
  readonly #all = new Map<string, Session>();
  constructor(
    private readonly limits: { idleSeconds: number; absoluteSeconds: number },
    private readonly now: () => number = Date.now,
  ) {}

  create(account: string): Session {
    const t = this.now();
    this.sweep(t);
    const s = {
      id: randomBytes(32).toString('base64url'),
      account,
      csrf: randomBytes(32).toString('base64url'),
      createdAt: t,
      lastSeen: t,
    };
    this.#all.set(s.id, s);
    return s;
  }

  /**
   * Drops expired sessions, and the oldest pre-sign-in ones beyond MAX_ANONYMOUS: every GET /login
   * without a cookie creates one, so their number must not grow without bound (memory exhaustion).
   */
  private sweep(t: number): void {
    let anonymous = 0;
    for (const [id, s] of this.#all) {
      if (this.expired(s, t)) this.#all.delete(id);
      else if (!s.account) anonymous++;
    }
    for (const [id, s] of this.#all) {
      if (anonymous < MAX_ANONYMOUS) break;
      if (!s.account) {
        this.#all.delete(id);
        anonymous--;
      }
    }
  }

  private expired(s: Session, t: number): boolean {
    return t - s.lastSeen > this.limits.idleSeconds * 1000 || t - s.createdAt > this.limits.absoluteSeconds * 1000;
  }

  get size(): number {
    return this.#all.size;
  }

  get(id: string | undefined): Session | undefined {
    if (!id) return undefined;
    const s = this.#all.get(id);
    if (!s) return undefined;
    const t = this.now();
    if (this.expired(s, t)) {
      this.#all.delete(id);
      return undefined;
    }
    s.lastSeen = t;
    return s;
  }

  delete(id: string): void {
    this.#all.delete(id);
  }

  static csrfMatches(s: Session, token: unknown): boolean {
    if (typeof token !== 'string') return false;
    const a = Buffer.from(s.csrf);
    const b = Buffer.from(token);
    return a.length === b.length && timingSafeEqual(a, b);
  }
}

export function cookieHeader(id: string, secure: boolean, maxAgeSeconds?: number): string {
  return `${COOKIE}=${id}; Path=/; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}${
    maxAgeSeconds !== undefined ? `; Max-Age=${maxAgeSeconds}` : ''
  }`;
}

export function cookieValue(header: string | undefined): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === COOKIE) return v.join('=');
  }
  return undefined;
}
