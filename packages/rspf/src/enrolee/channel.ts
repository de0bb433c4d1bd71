// One MEF Handshake carrying the whole Enrolment Exchange: an HTTPS agent limited to one socket and
// no session resumption, so every request of the exchange (and the EST operations it instructs)
// rides the TLS session the enrolment key was exported from. A request that lands on another
// socket fails instead of silently mixing sessions.
import { Agent, type AgentOptions, request } from 'node:https';
import type { ConnectionOptions, TLSSocket } from 'node:tls';
import { RspfError } from '../lib/errors.js';
import { DigestClient } from './digest-client.js';

/** Bootstrap credential of the enrolee (8.3.2.1 Kpm / KpmID, or 8.3.2.2 certificate). */
export type BootstrapCredential =
  | { kind: 'psk'; kpmId: string; kpm: Uint8Array }
  | {
      kind: 'certificate';
      cert: string | Buffer;
      key: string | Buffer;
      /** Trust anchors for the MEF certificate (8.1.2.4). */
      trustAnchors: ReadonlyArray<string | Buffer>;
      /** The MEF-FQDN its certificate carries; default: the MEF-FQDN of the enrolment. */
      servername?: string;
    }
  /**
   * Username / password for user devices: server-only TLS (the MEF's certificate) plus HTTP Digest.
   * Outside the TS-0003 EST profile; the MEF offers it only when configured.
   */
  | {
      kind: 'user';
      username: string;
      password: string;
      trustAnchors: ReadonlyArray<string | Buffer>;
      servername?: string;
    };

/** TS-0003 10.2.2: TLS_PSK_WITH_AES_128_CBC_SHA256 is mandatory; GCM and CCM_8 are offered beside it. */
const PSK_CIPHERS = 'PSK-AES128-CBC-SHA256:PSK-AES128-GCM-SHA256:PSK-AES128-CCM8';

/**
 * TLS options of the MEF Handshake: TLS 1.2 per TS-0003 10.2.2 / 10.2.3. The PSK case is built here
 * (same suites as @m2msec/saef's pskClientOptions) so that an enrolee does not load the certificate
 * machinery of the SAEF package, which more than doubles a device's start-up time; the certificate
 * case comes from @m2msec/saef, loaded on demand.
 */
export async function mefHandshakeOptions(b: BootstrapCredential, mefFqdn: string): Promise<ConnectionOptions> {
  if (b.kind === 'psk') {
    if (!b.kpmId || !(b.kpm instanceof Uint8Array) || b.kpm.length === 0) {
      throw new RspfError('BAD_REQUEST', 'the PSK bootstrap credential needs a KpmID and a non-empty Kpm');
    }
    const psk = Buffer.from(b.kpm);
    const identity = b.kpmId;
    return {
      ciphers: PSK_CIPHERS,
      minVersion: 'TLSv1.2',
      maxVersion: 'TLSv1.2',
      // No certificate is exchanged: possession of Kpm authenticates the MEF.
      checkServerIdentity: () => undefined,
      pskCallback: () => ({ psk, identity }),
    };
  }
  if (b.kind === 'user') {
    return {
      ca: [...b.trustAnchors],
      servername: b.servername ?? mefFqdn,
      rejectUnauthorized: true,
      minVersion: 'TLSv1.2',
    };
  }
  const { certificateClientOptions } = await import('@m2msec/saef');
  return certificateClientOptions({
    cert: b.cert,
    key: b.key,
    trustAnchors: b.trustAnchors,
    servername: b.servername ?? mefFqdn,
    tls13: false,
  });
}

export interface ChannelResponse {
  status: number;
  rsc: number;
  body: any;
}

export class MefChannel {
  readonly agent: Agent;
  #socket: TLSSocket | undefined;

  readonly #digest: DigestClient | undefined;

  constructor(
    readonly baseUrl: string,
    readonly tls: ConnectionOptions,
    private readonly timeoutMs = 30_000,
    user?: { username: string; password: string },
  ) {
    this.#digest = user ? new DigestClient(user.username, user.password) : undefined;
    this.agent = new Agent({ ...(tls as AgentOptions), keepAlive: true, maxSockets: 1, maxCachedSessions: 0 });
  }

  /** The TLS session of the exchange (after the first request). */
  get socket(): TLSSocket {
    if (!this.#socket) throw new RspfError('HANDSHAKE', 'the MEF Handshake has not happened yet');
    return this.#socket;
  }

  async post(path: string, body: unknown, headers: Record<string, string> = {}): Promise<ChannelResponse> {
    const uri = new URL(path, this.baseUrl).pathname;
    const auth = this.#digest?.authorization('POST', uri);
    const r = await this.#post(path, body, auth ? { ...headers, authorization: auth } : headers);
    if (r.status === 401 && this.#digest?.accept(r.wwwAuthenticate)) {
      return this.#post(path, body, { ...headers, authorization: this.#digest.authorization('POST', uri)! });
    }
    return r;
  }

  #post(
    path: string,
    body: unknown,
    headers: Record<string, string>,
  ): Promise<ChannelResponse & { wwwAuthenticate?: string }> {
    const url = new URL(path, this.baseUrl);
    const data = Buffer.from(JSON.stringify(body));
    return new Promise((resolve, reject) => {
      const req = request(url, {
        ...(this.tls as object),
        method: 'POST',
        agent: this.agent,
        timeout: this.timeoutMs,
        headers: {
          'content-type': 'application/json',
          'content-length': String(data.length),
          accept: 'application/json',
          'x-m2m-ri': `enrol-${Date.now()}`,
          ...headers,
        },
      });
      req.on('timeout', () => req.destroy(new RspfError('PROTOCOL', `the MEF did not answer ${url.pathname} in time`)));
      req.on('error', reject);
      req.on('response', (res) => {
        const socket = res.socket as TLSSocket;
        if (this.#socket && this.#socket !== socket) {
          res.resume();
          reject(new RspfError('HANDSHAKE', 'the MEF closed the enrolment session before the exchange ended'));
          return;
        }
        this.#socket = socket;
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown;
          try {
            parsed = text ? JSON.parse(text) : undefined;
          } catch {
            parsed = text;
          }
          const www = res.headers['www-authenticate'];
          resolve({
            status: res.statusCode ?? 0,
            rsc: Number(res.headers['x-m2m-rsc'] ?? 0),
            body: parsed,
            ...(typeof www === 'string' ? { wwwAuthenticate: www } : {}),
          });
        });
      });
      req.end(data);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
