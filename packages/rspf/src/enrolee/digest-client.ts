// Client side of HTTP Digest (RFC 7616, SHA-256, qop=auth) for the username / password option for
// user devices (outside the TS-0003 EST profile, which forbids HTTP client authentication; the MEF
// offers it on a separate server-authenticated TLS listener, off by default).
import { createHash, randomBytes } from 'node:crypto';

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

export class DigestClient {
  #challenge: Record<string, string> | undefined;
  #nc = 0;

  constructor(
    private readonly username: string,
    private readonly password: string,
  ) {}

  /** Remember the server's challenge (WWW-Authenticate: Digest ...). False if it is not usable. */
  accept(header: string | undefined): boolean {
    if (!header || !/^Digest\s/i.test(header)) return false;
    const p: Record<string, string> = {};
    const body = header.replace(/^Digest\s+/i, '');
    const re = /([a-zA-Z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))/g;
    for (let m = re.exec(body); m; m = re.exec(body)) p[m[1]!.toLowerCase()] = m[2] ?? m[3] ?? '';
    if (
      (p.algorithm ?? '').toUpperCase() !== 'SHA-256' ||
      !p.nonce ||
      !p.realm ||
      !(p.qop ?? '').split(',').includes('auth')
    ) {
      return false;
    }
    this.#challenge = p;
    this.#nc = 0;
    return true;
  }

  /** Authorization header for one request, or undefined before a challenge. */
  authorization(method: string, uri: string): string | undefined {
    const c = this.#challenge;
    if (!c) return undefined;
    const nc = (++this.#nc).toString(16).padStart(8, '0');
    const cnonce = randomBytes(12).toString('hex');
    const ha1 = sha256(`${this.username}:${c.realm}:${this.password}`);
    const ha2 = sha256(`${method}:${uri}`);
    const response = sha256(`${ha1}:${c.nonce}:${nc}:${cnonce}:auth:${ha2}`);
    return `Digest username="${this.username}", realm="${c.realm}", nonce="${c.nonce}", uri="${uri}", algorithm=SHA-256, qop=auth, nc=${nc}, cnonce="${cnonce}", response="${response}"`;
  }
}
