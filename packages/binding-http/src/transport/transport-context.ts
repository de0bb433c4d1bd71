// The one place the HTTP binding turns a socket into a TransportContext (DESIGN.md section 2). A TLS
// listener wraps the builder and adds `tls` from its TLSSocket; nothing below reads the socket.

import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import type { TransportContext } from '@m2msec/protocol';
import proxyaddr from 'proxy-addr';
import { badRequest } from '../lib/errors.js';
import { normalisePeerAddress } from './peer-address.js';

/** Builds the TransportContext of one HTTP request. May throw an M2MError (answered as such). */
export type TransportContextBuilder = (req: IncomingMessage) => TransportContext;

export interface TransportContextOptions {
  /**
   * Addresses / CIDR ranges (e.g. '10.0.0.0/8', '::1') of reverse proxies whose X-Forwarded-For is
   * believed. Empty (default): the socket's remote address is the peer, the header is ignored.
   */
  trustedProxies?: readonly string[];
}

/** The plain-HTTP builder: binding 'http', peer from the socket or, behind a trusted proxy, from X-Forwarded-For. */
export function httpTransportContextBuilder(opts: TransportContextOptions = {}): TransportContextBuilder {
  const proxies = opts.trustedProxies ?? [];
  let trust: ((addr: string, i: number) => boolean) | undefined;
  if (proxies.length > 0) {
    try {
      trust = proxyaddr.compile([...proxies]);
    } catch (e) {
      throw new TypeError(`trustedProxies: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return (req) => {
    const socketAddress = req.socket.remoteAddress;
    const ctx: TransportContext = { binding: 'http' };
    if (socketAddress === undefined) return ctx; // socket already gone
    if (trust === undefined) {
      ctx.peerAddress = normalisePeerAddress(socketAddress);
      ctx.peerPort = req.socket.remotePort;
      return ctx;
    }
    // Walks X-Forwarded-For from the socket outwards while each hop is trusted (proxy-addr).
    const peer = proxyaddr(req, trust);
    if (isIP(peer) === 0) badRequest('X-Forwarded-For from a trusted proxy holds a malformed address');
    ctx.peerAddress = normalisePeerAddress(peer);
    // The port is only known for the socket's own peer.
    if (peer === socketAddress) ctx.peerPort = req.socket.remotePort;
    return ctx;
  };
}
