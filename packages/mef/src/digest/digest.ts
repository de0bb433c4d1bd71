// HTTP Digest access authentication (RFC 7616, algorithm SHA-256, qop=auth) for the username /
// password option for user devices. It runs inside a server-authenticated TLS session (the MEF's
// certificate); the TLS exporter of that session still yields Ke. This option lies OUTSIDE the
// TS-0003 EST profile, which forbids HTTP-based client authentication (8.3.6.2.1 NOTE 3): it is off
// by default and never mounted on the EST path.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

/** HA1 = SHA-256(username ":" realm ":" password), what the MEF stores (sealed). */
export function digestHa1(username: string, realm: string, password: string): Buffer {
  return Buffer.from(sha256(`${username}:${realm}:${password}`), 'utf8');
}

export interface DigestOptions {
  realm: string;
  /** HA1 (hex as bytes) of a user, or undefined for an unknown user. */
  ha1Of: (username: string) => Promise<Buffer | undefined>;
  nonceLifetimeMs?: number;
  now?: () => number;
  /** The key that MACs the nonces; instances behind one balancer share it (shared-nonces.ts). Default: random. */
  secret?: Uint8Array;
  /**
   * Records nonce count `nc` of `nonce` (valid until `expires`) when higher than any accepted before, else
   * false. Instances behind one balancer share it (shared-nonces.ts); default: this process's memory.
   */
  acceptCount?: (nonce: string, nc: number, expires: number) => Promise<boolean>;
}

export function parseDigestHeader(h: string | undefined): Record<string, string> | undefined {
  if (!h || !/^Digest\s+/i.test(h)) return undefined;
  const out: Record<string, string> = {};
  const re = /([a-zA-Z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))/g;
  const body = h.replace(/^Digest\s+/i, '');
  for (let m = re.exec(body); m; m = re.exec(body)) {
    out[m[1]!.toLowerCase()] = (m[2] ?? m[3] ?? '').replace(/\\(.)/g, '$1');
  }
  return out;
}

export class DigestAuthenticator {
  readonly #secret: Buffer;
  readonly #seen = new Map<string, number>(); // nonce -> highest nc accepted here (an early refusal only)
  readonly #now: () => number;
  readonly #acceptCount: (nonce: string, nc: number, expires: number) => Promise<boolean>;

  constructor(private readonly o: DigestOptions) {
    this.#now = o.now ?? Date.now;
    this.#secret = o.secret ? Buffer.from(o.secret) : randomBytes(32);
    this.#acceptCount = o.acceptCount ?? (async (nonce, nc) => nc > (this.#seen.get(nonce) ?? 0));
  }

  challenge(stale = false): string {
    const ts = this.#now().toString(36);
    const mac = createHmac('sha256', this.#secret).update(ts).digest('base64url');
    return `Digest realm="${this.o.realm}", qop="auth", algorithm=SHA-256, nonce="${ts}.${mac}"${stale ? ', stale=true' : ''}`;
  }

  /**
   * `{ok: true, username}` for a valid answer; otherwise `stale` (an expired nonce: the client retries
   * without a new password) and the claimed username when the answer was checked and found wrong
   * (what the lock-out counts). A replayed nonce count is refused and not counted.
   */
  async verify(method: string, requestUri: string, header: string | undefined): Promise<DigestResult> {
    const p = parseDigestHeader(header);
    if (!p?.username || !p.nonce || !p.response || !p.uri || p.qop !== 'auth' || !p.nc || !p.cnonce) return NO;
    if (p.uri !== requestUri) return NO; // an answer computed for another resource
    if ((p.algorithm ?? 'MD5').toUpperCase() !== 'SHA-256' || p.realm !== this.o.realm) return NO;
    const [ts, mac] = p.nonce.split('.');
    if (!ts || !mac) return NO;
    const good = createHmac('sha256', this.#secret).update(ts).digest('base64url');
    if (good.length !== mac.length || !timingSafeEqual(Buffer.from(good), Buffer.from(mac))) return NO;
    const issued = Number.parseInt(ts, 36);
    const expires = issued + (this.o.nonceLifetimeMs ?? 300_000);
    if (!(this.#now() < expires)) return { ok: false, stale: true };
    const nc = Number.parseInt(p.nc, 16);
    if (!Number.isFinite(nc) || nc <= (this.#seen.get(p.nonce) ?? 0)) return NO; // replayed nc
    const ha1 = await this.o.ha1Of(p.username);
    const ha2 = sha256(`${method}:${p.uri}`);
    const expected = Buffer.from(sha256(`${ha1?.toString('utf8') ?? 'x'}:${p.nonce}:${p.nc}:${p.cnonce}:auth:${ha2}`));
    ha1?.fill(0);
    const got = Buffer.from(p.response.toLowerCase());
    if (!ha1 || got.length !== expected.length || !timingSafeEqual(got, expected)) {
      return { ok: false, username: p.username };
    }
    // The count decides only now, with the answer proven: a replayed nc is refused, not counted as a failure.
    if (!(await this.#acceptCount(p.nonce, nc, expires))) return NO;
    this.#seen.set(p.nonce, Math.max(nc, this.#seen.get(p.nonce) ?? 0));
    if (this.#seen.size > 10_000) this.#seen.delete(this.#seen.keys().next().value!);
    return { ok: true, username: p.username };
  }
}

export type DigestResult = { ok: true; username: string } | { ok: false; stale?: boolean; username?: string };
const NO: DigestResult = { ok: false };
