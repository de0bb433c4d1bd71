// The username / password option's authentication step, independent of the HTTP framework: HTTP
// Basic (RFC 7617, argon2id-hashed password) or Digest (RFC 7616, SHA-256, sealed HA1), inside the
// MEF's server-authenticated TLS. Only enrolees of an enabled group authenticate; the guess guard
// throttles per source address and locks a username after repeated failures.
import type { DigestAuthenticator } from '../digest/digest.js';
import { parseBasic } from './basic.js';
import type { GuessGuard } from './guess-guard.js';
import { verifyPassword } from './password-hash.js';

export type UserAuthScheme = 'basic' | 'digest';

export interface UserAuthContext {
  schemes: readonly UserAuthScheme[];
  digest: DigestAuthenticator;
  guard: GuessGuard;
  /** The user's argon2 PHC string, or undefined for an unknown user or one outside the enabled groups. */
  passwordHashOf(username: string): Promise<string | undefined>;
  realm: string;
}

export interface UserAuthRequest {
  method: string;
  /** The request-target as sent (Digest binds the answer to it). */
  uri: string;
  authorization: string | undefined;
  remoteAddress: string;
}

export type UserAuthResult =
  | { ok: true; username: string }
  | { ok: false; status: 401 | 429; headers: Record<string, string | string[]>; message: string };

export async function authenticateUser(c: UserAuthContext, r: UserAuthRequest): Promise<UserAuthResult> {
  const challenge = (stale = false): UserAuthResult => {
    const h: string[] = [];
    if (c.schemes.includes('digest')) h.push(c.digest.challenge(stale));
    if (c.schemes.includes('basic')) h.push(`Basic realm="${c.realm}", charset="UTF-8"`);
    return {
      ok: false,
      status: 401,
      headers: { 'www-authenticate': h },
      message: 'HTTP authentication required (username / password option)',
    };
  };
  const scheme = /^(\w+)\s/.exec(r.authorization ?? '')?.[1]?.toLowerCase();
  if (!r.authorization || !c.schemes.includes(scheme as UserAuthScheme)) return challenge();
  const address = c.guard.admitAddress(r.remoteAddress);
  if (!address.ok) return tooMany(address.retryAfterSeconds, address.reason);

  let username: string | undefined;
  let good = false;
  if (scheme === 'basic') {
    const b = parseBasic(r.authorization);
    if (!b) return challenge();
    username = b.username;
    const locked = await c.guard.admitUser(username);
    if (!locked.ok) return tooMany(locked.retryAfterSeconds, locked.reason);
    good = await verifyPassword(await c.passwordHashOf(username), b.password);
  } else {
    const d = await c.digest.verify(r.method, r.uri, r.authorization);
    if (!d.ok && d.stale) return challenge(true);
    username = d.username;
    if (username === undefined) return challenge(); // malformed, foreign nonce or replayed nc
    const locked = await c.guard.admitUser(username);
    if (!locked.ok) return tooMany(locked.retryAfterSeconds, locked.reason);
    good = d.ok;
  }
  if (!good) {
    await c.guard.failure(username);
    return challenge();
  }
  await c.guard.success(username);
  return { ok: true, username };
}

function tooMany(retryAfterSeconds: number, message: string): UserAuthResult {
  return { ok: false, status: 429, headers: { 'retry-after': String(retryAfterSeconds) }, message };
}
