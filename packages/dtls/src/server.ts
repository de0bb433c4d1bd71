// DTLS 1.2 server over one UDP socket (RFC 6347): stateless cookie exchange before any per-peer state,
// per-peer associations with retransmission timers, a cap on associations, idle expiry.
// Resource limits (issue 20 item 4; docs/hardening.md "Resource limits"): every bound below is counted only
// for clients that proved their address with a cookie, so a spoofed-source flood costs one HMAC each.
// - maxSessions: associations at once (handshaking or established);
// - maxHandshakes: half-open associations at once, below maxSessions, so stalled handshakes can never take
//   the slots established sessions and legitimate new clients need;
// - maxSessionsPerPeer: associations from one address (one address with many ports cannot fill the server);
// - handshakesPerSecondPerPeer: new associations per second from one address (token bucket), which bounds
//   the (EC)DHE and certificate work one address can make the server do.
import { createSocket, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { type DtlsNative, loadDtls, type NativeConnection, type NativeContext, type NativeResult } from './native.js';
import { cipherList } from './profile.js';
import { type DtlsPeer, DtlsSession } from './session.js';

export interface DtlsServerOptions {
  host: string;
  port: number;
  /** PSK lookup (TLS-PSK, RFC 4279): identity -> key, undefined for an unknown identity. Synchronous. */
  psk?: (identity: Buffer) => Buffer | undefined;
  /** Certificate-based mode: the server's ECDSA certificate (chain after the leaf) and key. */
  certificate?: {
    certPem: string;
    keyPem: string;
    /** Trust anchors for client certificates; without them only `verifyPeer` decides. */
    caPem?: string;
    /** Ask ECDHE-ECDSA clients for a certificate. */
    requestCert?: boolean;
    requireCert?: boolean;
  };
  /** Checks a client certificate during the handshake; returns undefined or the alert to fail with. */
  verifyPeer?: (ders: Buffer[], chainError: number) => string | undefined;
  /** Called once the handshake finished; returning false (or throwing) drops the association. */
  onSession: (session: DtlsSession) => boolean | undefined;
  onHandshakeFailure?: (
    peer: DtlsPeer,
    failure: { error?: string; alertSent?: string; alertReceived?: string },
  ) => void;
  /** Associations kept at once (handshaking or established); new peers beyond it are dropped. */
  maxSessions?: number;
  /** Handshakes in progress at once; new ones beyond it are dropped (default min(256, maxSessions / 4)). */
  maxHandshakes?: number;
  /** Associations from one peer address (any port); default 32. */
  maxSessionsPerPeer?: number;
  /** New associations per second from one peer address (token bucket of one second); default 20. */
  handshakesPerSecondPerPeer?: number;
  /** An association silent this long is freed. */
  idleTimeoutMs?: number;
  /** A handshake not finished in this time is abandoned. */
  handshakeTimeoutMs?: number;
  /** Path MTU used to fragment handshake messages. */
  mtu?: number;
}

/** A handshake record in epoch 0 carrying a ClientHello (RFC 6347 4.1 record, 4.2.2 handshake header). */
function isInitialClientHello(msg: Buffer): boolean {
  return msg.length > 25 && msg[0] === 22 && msg[3] === 0 && msg[4] === 0 && msg[13] === 1;
}

/** Defaults of the limits (docs/hardening.md). */
export const DTLS_LIMIT_DEFAULTS = Object.freeze({
  maxSessions: 1000,
  maxSessionsPerPeer: 32,
  handshakesPerSecondPerPeer: 20,
  handshakeTimeoutMs: 30_000,
  idleTimeoutMs: 120_000,
});

interface PeerState {
  open: number;
  tokens: number;
  at: number;
}

interface Entry {
  conn: NativeConnection;
  peer: DtlsPeer;
  session?: DtlsSession;
  lastSeen: number;
  started: number;
  timer?: NodeJS.Timeout;
}

export class DtlsServer {
  private readonly native: DtlsNative;
  private readonly ctx: NativeContext;
  private readonly entries = new Map<string, Entry>();
  private socket: Socket | undefined;
  private sweeper: NodeJS.Timeout | undefined;
  /** Counters for operators and tests. */
  readonly stats = {
    cookiesSent: 0,
    handshakes: 0,
    failures: 0,
    droppedAtCap: 0,
    droppedHandshakeCap: 0,
    droppedPeerCap: 0,
    droppedPeerRate: 0,
    expired: 0,
  };
  private readonly peers = new Map<string, PeerState>();
  private handshaking = 0;
  private readonly limits: {
    maxSessions: number;
    maxHandshakes: number;
    maxSessionsPerPeer: number;
    handshakesPerSecondPerPeer: number;
  };

  constructor(private readonly opts: DtlsServerOptions) {
    const maxSessions = opts.maxSessions ?? DTLS_LIMIT_DEFAULTS.maxSessions;
    this.limits = {
      maxSessions,
      maxHandshakes: opts.maxHandshakes ?? Math.max(1, Math.min(256, Math.floor(maxSessions / 4))),
      maxSessionsPerPeer: opts.maxSessionsPerPeer ?? DTLS_LIMIT_DEFAULTS.maxSessionsPerPeer,
      handshakesPerSecondPerPeer: opts.handshakesPerSecondPerPeer ?? DTLS_LIMIT_DEFAULTS.handshakesPerSecondPerPeer,
    };
    for (const [k, v] of Object.entries(this.limits)) {
      if (!Number.isSafeInteger(v) || v < 1) throw new TypeError(`DTLS limit ${k} must be an integer >= 1`);
    }
    this.native = loadDtls();
    const psk = opts.psk !== undefined;
    const certificate = opts.certificate !== undefined;
    if (!psk && !certificate) throw new TypeError('a DTLS server needs psk and/or certificate');
    this.ctx = this.native.createContext({
      server: true,
      ciphers: cipherList({ psk, certificate }),
      mtu: opts.mtu ?? 1280,
      ...(opts.psk === undefined ? {} : { psk: opts.psk }),
      ...(opts.certificate === undefined
        ? {}
        : {
            certPem: opts.certificate.certPem,
            keyPem: opts.certificate.keyPem,
            ...(opts.certificate.caPem === undefined ? {} : { caPem: opts.certificate.caPem }),
            requestCert: opts.certificate.requestCert ?? false,
            requireCert: opts.certificate.requireCert ?? false,
          }),
      ...(opts.verifyPeer === undefined ? {} : { verify: opts.verifyPeer }),
    });
  }

  get sessionCount(): number {
    return this.entries.size;
  }

  async listen(): Promise<{ address: string; port: number }> {
    const socket = createSocket({ type: isIPv6(this.opts.host) ? 'udp6' : 'udp4' });
    this.socket = socket;
    socket.on('message', (msg, rinfo) => this.onDatagram(msg, { address: rinfo.address, port: rinfo.port }));
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(this.opts.port, this.opts.host, () => {
        socket.off('error', reject);
        socket.on('error', () => {}); // ICMP errors on send are not fatal for a UDP server
        resolve();
      });
    });
    const idle = this.opts.idleTimeoutMs ?? 120_000;
    this.sweeper = setInterval(() => this.sweep(), Math.max(50, Math.min(idle, 5_000) / 2));
    this.sweeper.unref();
    const a = socket.address();
    return { address: a.address, port: a.port };
  }

  async close(): Promise<void> {
    if (this.sweeper) clearInterval(this.sweeper);
    for (const [key, e] of [...this.entries]) this.drop(key, e, 'server closing', true);
    const s = this.socket;
    this.socket = undefined;
    if (s) await new Promise<void>((r) => s.close(() => r()));
  }

  private send(peer: DtlsPeer, d: Buffer): void {
    this.socket?.send(d, peer.port, peer.address);
  }

  private onDatagram(msg: Buffer, peer: DtlsPeer): void {
    if (msg.length === 0 || msg.length > 16384) return;
    const key = `${peer.address}|${peer.port}`;
    const e = this.entries.get(key);
    // RFC 6347 4.2.8: a ClientHello in epoch 0 from the address of an established association is a
    // client that lost its state; it goes through the cookie exchange and, once verified, replaces the
    // old association (an off-path attacker cannot complete the cookie exchange for that address).
    const restart = e?.session !== undefined && isInitialClientHello(msg);
    if (e !== undefined && !restart) {
      e.lastSeen = Date.now();
      this.handle(key, e, this.native.feed(e.conn, msg));
      return;
    }
    // Only a DTLS handshake record (content type 22) can open an association.
    if (msg[0] !== 22) return;
    const conn = this.native.newConnection(this.ctx, Buffer.from(key));
    let r: NativeResult;
    try {
      r = this.native.listen(conn, msg);
    } catch {
      this.native.close(conn);
      return;
    }
    for (const d of r.out) this.send(peer, d);
    if (r.state !== 4) {
      // HelloVerifyRequest sent (or garbage): no state kept for this peer (RFC 6347 4.2.1).
      if (r.out.length > 0) this.stats.cookiesSent++;
      this.native.close(conn);
      return;
    }
    const old = this.entries.get(key);
    if (old !== undefined) this.drop(key, old, 'replaced by a new handshake from the same address', false);
    const refusal = this.admit(peer.address);
    if (refusal !== undefined) {
      // Dropped silently: the client retransmits and times out; an alert would be one more datagram per flood packet.
      this.stats[refusal]++;
      this.native.close(conn);
      return;
    }
    const now = Date.now();
    const entry: Entry = { conn, peer, lastSeen: now, started: now };
    this.entries.set(key, entry);
    this.handshaking++;
    this.peerState(peer.address).open++;
    this.handle(key, entry, this.native.feed(conn, null));
  }

  /** Checks the limits for a new association from `address` (its cookie verified); takes a rate token. */
  private admit(
    address: string,
  ): 'droppedAtCap' | 'droppedHandshakeCap' | 'droppedPeerCap' | 'droppedPeerRate' | undefined {
    if (this.entries.size >= this.limits.maxSessions) return 'droppedAtCap';
    if (this.handshaking >= this.limits.maxHandshakes) return 'droppedHandshakeCap';
    const p = this.peerState(address);
    if (p.open >= this.limits.maxSessionsPerPeer) return 'droppedPeerCap';
    const now = Date.now();
    const rate = this.limits.handshakesPerSecondPerPeer;
    p.tokens = Math.min(rate, p.tokens + ((now - p.at) / 1000) * rate);
    p.at = now;
    if (p.tokens < 1) return 'droppedPeerRate';
    p.tokens -= 1;
    return undefined;
  }

  private peerState(address: string): PeerState {
    let p = this.peers.get(address);
    if (p === undefined) {
      p = { open: 0, tokens: this.limits.handshakesPerSecondPerPeer, at: Date.now() };
      this.peers.set(address, p);
    }
    return p;
  }

  /** Open associations from one peer address (for tests and metrics). */
  openFrom(address: string): number {
    return this.peers.get(address)?.open ?? 0;
  }

  /** Handshakes in progress. */
  get handshakesInProgress(): number {
    return this.handshaking;
  }

  private handle(key: string, e: Entry, r: NativeResult): void {
    for (const d of r.out) this.send(e.peer, d);
    if (r.state === 2) {
      if (e.session === undefined) {
        this.stats.failures++;
        this.opts.onHandshakeFailure?.(e.peer, {
          ...(r.error === undefined ? {} : { error: r.error }),
          ...(r.alertSent === undefined ? {} : { alertSent: r.alertSent }),
          ...(r.alertReceived === undefined ? {} : { alertReceived: r.alertReceived }),
        });
      }
      this.drop(key, e, r.error ?? 'closed', false);
      return;
    }
    this.arm(key, e, r.timeoutMs ?? -1);
    if (r.state === 1 && e.session === undefined) {
      const session = new DtlsSession(
        this.native,
        e.conn,
        e.peer,
        (d) => this.send(e.peer, d),
        () => this.forget(key, e),
      );
      e.session = session;
      this.handshaking--;
      this.stats.handshakes++;
      let keep: boolean | undefined;
      try {
        keep = this.opts.onSession(session);
      } catch {
        keep = false;
      }
      if (keep === false) {
        session.close('refused after handshake');
        return;
      }
    }
    if (e.session !== undefined && r.app !== undefined) {
      for (const a of r.app) {
        if (e.session.isClosed) break;
        e.session.onData?.(a);
      }
    }
  }

  private arm(key: string, e: Entry, timeoutMs: number): void {
    if (e.timer) clearTimeout(e.timer);
    e.timer = undefined;
    if (timeoutMs < 0) return;
    e.timer = setTimeout(() => {
      e.timer = undefined;
      if (this.entries.get(key) !== e) return;
      this.handle(key, e, this.native.timeout(e.conn));
    }, timeoutMs + 1);
    e.timer.unref();
  }

  private sweep(): void {
    const now = Date.now();
    const idle = this.opts.idleTimeoutMs ?? DTLS_LIMIT_DEFAULTS.idleTimeoutMs;
    const hs = this.opts.handshakeTimeoutMs ?? DTLS_LIMIT_DEFAULTS.handshakeTimeoutMs;
    for (const [key, e] of [...this.entries]) {
      if (e.session === undefined ? now - e.started > hs : now - e.lastSeen > idle) {
        this.stats.expired++;
        this.drop(key, e, 'idle timeout', true);
      }
    }
    // Peer rows with nothing open and a full bucket say nothing: bounded memory under address-spread floods.
    const rate = this.limits.handshakesPerSecondPerPeer;
    for (const [address, p] of this.peers) {
      if (p.open === 0 && p.tokens + ((now - p.at) / 1000) * rate >= rate) this.peers.delete(address);
    }
  }

  private forget(key: string, e: Entry): void {
    if (e.timer) clearTimeout(e.timer);
    if (this.entries.get(key) !== e) return;
    this.entries.delete(key);
    if (e.session === undefined) this.handshaking--;
    const p = this.peers.get(e.peer.address);
    if (p !== undefined) p.open--;
  }

  private drop(key: string, e: Entry, reason: string, notify: boolean): void {
    this.forget(key, e);
    if (e.session !== undefined) {
      if (notify) e.session.close(reason);
      else {
        try {
          this.native.close(e.conn);
        } catch {}
        e.session.ended(reason);
      }
    } else {
      try {
        this.native.close(e.conn);
      } catch {}
    }
  }
}
