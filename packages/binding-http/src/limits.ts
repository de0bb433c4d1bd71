// Connection limits of one HTTP or HTTPS listener (issue 20 item 4; docs/hardening.md "Resource limits").
// TS-0004 and TS-0009 set no bounds; a listener that accepts and keeps every connection lets one peer
// exhaust file descriptors and event-loop time for all. Applied at accept time, before any TLS handshake
// or HTTP parsing: an over-limit TCP connection costs the server one accept and one close.
// - maxConnections: open connections on the listener (Node's server.maxConnections drops the excess);
// - maxConnectionsPerPeer: open connections from one peer address;
// - connectionsPerSecondPerPeer: new connections (so TLS handshakes) per second from one peer address, a
//   token bucket with as many tokens as one second's rate;
// - handshakeTimeoutMs / headersTimeoutMs: a connection that neither completes its TLS handshake nor sends
//   a request head in time is closed (idle connections do not pin slots for minutes).
// A refused plain-HTTP connection gets an immediate 503 with X-M2M-RSC 5000 and is closed; a TLS one is
// closed before its handshake (nothing can be said in the clear).
import type { Server as HttpServer } from 'node:http';
import type { Socket } from 'node:net';
import { normalisePeerAddress } from './transport/peer-address.js';

export interface ConnectionLimits {
  maxConnections: number;
  maxConnectionsPerPeer: number;
  connectionsPerSecondPerPeer: number;
  handshakeTimeoutMs: number;
  headersTimeoutMs: number;
}

export const DEFAULT_CONNECTION_LIMITS: Readonly<ConnectionLimits> = Object.freeze({
  maxConnections: 10_000,
  maxConnectionsPerPeer: 256,
  connectionsPerSecondPerPeer: 100,
  handshakeTimeoutMs: 10_000,
  headersTimeoutMs: 20_000,
});

export type LimitRefusal = 'listener' | 'peer' | 'rate';

export interface LimitedListener {
  /** Connections refused so far, by the limit that refused them. */
  readonly refused: Readonly<Record<LimitRefusal, number>>;
  /** Open connections per peer address (for tests and metrics). */
  openFrom(peer: string): number;
}

interface PeerState {
  open: number;
  tokens: number;
  at: number;
}

const OVERLOAD =
  'HTTP/1.1 503 Service Unavailable\r\nX-M2M-RSC: 5000\r\nContent-Type: application/json\r\nContent-Length: 47\r\nConnection: close\r\n\r\n{"m2m:dbg":"too many connections, retry later"}';

/** Checks a limits object: every value a positive safe integer. */
export function checkConnectionLimits(l: Partial<ConnectionLimits>): ConnectionLimits {
  const out = { ...DEFAULT_CONNECTION_LIMITS, ...l };
  for (const [k, v] of Object.entries(out)) {
    if (!Number.isSafeInteger(v) || v < 1) throw new TypeError(`connection limit ${k} must be an integer >= 1`);
  }
  return out;
}

/**
 * Applies `limits` to a listening (or about to listen) http.Server or https.Server. `tls` says whether its
 * connections start with a TLS handshake (then a refusal is a close, and handshakeTimeoutMs applies).
 */
export function applyConnectionLimits(
  server: HttpServer,
  limits: Partial<ConnectionLimits> = {},
  o: { tls?: boolean; onRefused?: (why: LimitRefusal, peer: string) => void } = {},
): LimitedListener {
  const l = checkConnectionLimits(limits);
  const refused: Record<LimitRefusal, number> = { listener: 0, peer: 0, rate: 0 };
  const peers = new Map<string, PeerState>();
  const handshaking = new WeakMap<Socket, NodeJS.Timeout>();
  server.maxConnections = l.maxConnections;
  server.headersTimeout = l.headersTimeoutMs;
  server.requestTimeout = Math.max(server.requestTimeout, l.headersTimeoutMs);
  server.on('drop', (d?: { remoteAddress?: string }) => {
    refused.listener++;
    o.onRefused?.('listener', d?.remoteAddress ? normalisePeerAddress(d.remoteAddress) : '');
  });

  const refuse = (socket: Socket, why: LimitRefusal, peer: string) => {
    refused[why]++;
    o.onRefused?.(why, peer);
    if (o.tls) socket.destroy();
    else socket.end(OVERLOAD, () => socket.destroy());
  };

  // Forget peers with no open connection and a full bucket, so the map stays bounded by open connections.
  const prune = (now: number) => {
    for (const [k, s] of peers) if (s.open === 0 && now - s.at >= 1000) peers.delete(k);
  };

  server.on('connection', (socket: Socket) => {
    if (socket.remoteAddress === undefined) return;
    const peer = normalisePeerAddress(socket.remoteAddress);
    const now = Date.now();
    if (peers.size > 4096) prune(now);
    let s = peers.get(peer);
    if (!s) {
      s = { open: 0, tokens: l.connectionsPerSecondPerPeer, at: now };
      peers.set(peer, s);
    }
    s.tokens = Math.min(
      l.connectionsPerSecondPerPeer,
      s.tokens + ((now - s.at) / 1000) * l.connectionsPerSecondPerPeer,
    );
    s.at = now;
    if (s.tokens < 1) return refuse(socket, 'rate', peer);
    s.tokens -= 1;
    if (s.open >= l.maxConnectionsPerPeer) return refuse(socket, 'peer', peer);
    s.open++;
    const state = s;
    socket.once('close', () => {
      state.open--;
    });
    if (o.tls) {
      // The raw socket idles until the handshake's first bytes; a peer that never finishes is closed.
      const timer = setTimeout(() => socket.destroy(), l.handshakeTimeoutMs);
      timer.unref();
      handshaking.set(socket, timer);
      socket.once('close', () => clearTimeout(timer));
    }
  });

  if (o.tls) {
    // A TLSSocket's _parent is the raw socket it wraps (node:tls); its handshake is done.
    server.on('secureConnection', (tlsSocket: { _parent?: Socket }) => {
      const raw = tlsSocket._parent;
      if (raw === undefined) return;
      clearTimeout(handshaking.get(raw));
      handshaking.delete(raw);
    });
  }

  return {
    refused,
    openFrom: (peer) => peers.get(normalisePeerAddress(peer))?.open ?? 0,
  };
}
