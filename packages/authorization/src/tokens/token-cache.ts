// Verified tokens by Local-Token-ID (TS-0003 7.3.2.3 steps 7.1.5, 7.2). In memory: a restart or another
// instance forgets them and the originator presents the token again (docs/authorization.md).
import { randomBytes } from 'node:crypto';
import type { VerifiedToken } from './verify-token.js';

interface CachedToken {
  token: VerifiedToken;
  /** Issued to this CSE by a DAS (direct dynamic authorization): applies to the holder's later requests. */
  fromDas: boolean;
}

const CACHE_LIMIT = 10_000;

export class TokenCache {
  private readonly byLti = new Map<string, CachedToken>();
  private readonly ltiByKey = new Map<string, string>();
  /** Local-Token-IDs of DAS-issued tokens by holder, so a request looks at its own only. */
  private readonly dasByHolder = new Map<string, Set<string>>();

  /** Caches a token; returns its Local-Token-ID and whether it was assigned now. */
  add(token: VerifiedToken, fromDas: boolean, now: Date): { lti: string; assigned: boolean } {
    const key = `${token.holder}\n${token.claims.tkid}`;
    const known = this.ltiByKey.get(key);
    if (known !== undefined && this.byLti.has(known)) {
      const c = this.byLti.get(known)!;
      this.byLti.set(known, { token, fromDas: c.fromDas || fromDas });
      if (fromDas) this.indexDas(token.holder, known);
      return { lti: known, assigned: false };
    }
    if (this.byLti.size >= CACHE_LIMIT) this.prune(now);
    if (this.byLti.size >= CACHE_LIMIT) {
      const oldest = this.byLti.keys().next().value!;
      this.drop(oldest);
    }
    const lti = `lt${randomBytes(12).toString('base64url')}`;
    this.byLti.set(lti, { token, fromDas });
    this.ltiByKey.set(key, lti);
    if (fromDas) this.indexDas(token.holder, lti);
    return { lti, assigned: true };
  }

  private indexDas(holder: string, lti: string): void {
    const set = this.dasByHolder.get(holder);
    if (set) set.add(lti);
    else this.dasByHolder.set(holder, new Set([lti]));
  }

  /** A cached, unexpired token of this holder. */
  get(lti: string, holder: string, now: Date): VerifiedToken | undefined {
    const c = this.byLti.get(lti);
    if (!c || c.token.holder !== holder) return undefined;
    if (c.token.notAfter.getTime() < now.getTime()) {
      this.drop(lti);
      return undefined;
    }
    return c.token;
  }

  /** Unexpired tokens a DAS issued for this holder (TS-0003 7.1.2: associated with its requests). */
  dasTokensOf(holder: string, now: Date): VerifiedToken[] {
    const out: VerifiedToken[] = [];
    for (const lti of [...(this.dasByHolder.get(holder) ?? [])]) {
      const t = this.get(lti, holder, now);
      if (t) out.push(t);
    }
    return out;
  }

  private drop(lti: string): void {
    const c = this.byLti.get(lti);
    this.byLti.delete(lti);
    if (!c) return;
    this.ltiByKey.delete(`${c.token.holder}\n${c.token.claims.tkid}`);
    const set = this.dasByHolder.get(c.token.holder);
    set?.delete(lti);
    if (set?.size === 0) this.dasByHolder.delete(c.token.holder);
  }

  private prune(now: Date): void {
    for (const [lti, c] of this.byLti) if (c.token.notAfter.getTime() < now.getTime()) this.drop(lti);
  }
}
