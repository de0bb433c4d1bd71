// The contract between a transport-free request handler and the one shared HTTP edge (binding-http,
// src/edge) that serves it (DESIGN.md section 1, issue 11 item 2). Roles and engines (MEF, MAF, EST,
// GBA Ub/Zn, DSKPP) describe their HTTP resources as routes of plain functions
// (EdgeRequest -> EdgeResponse); they never see a socket, express or a Node request. What the TLS
// session proved reaches them in `transport` (TransportContext), built once by the edge.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { TransportContext } from './transport.js';

export interface EdgeRequest {
  /** Upper-case HTTP method. */
  method: string;
  /** Path as received, without the query and without the edge's mount prefix (still percent-encoded). */
  path: string;
  /** Path and query as received, including the mount prefix (the request-target, e.g. a Digest uri). */
  target: string;
  /** Values of the route pattern's `:name` segments, percent-decoded. */
  params: Readonly<Record<string, string>>;
  query: URLSearchParams;
  /**
   * The headers a handler may read, lower-case names: content-type, content-transfer-encoding, accept,
   * authorization, x-m2m-ri, x-m2m-rvi (and those a route lists in `headers`). Never the socket.
   */
  headers: Readonly<Record<string, string>>;
  /** The message body (empty for none), read by the edge within the route's limit. */
  body: Uint8Array;
  transport: TransportContext;
}

export interface EdgeResponse {
  /** HTTP status where the handler's protocol defines it (RFC 7030, TS 24.109, RFC 6063, an admin API). */
  status?: number;
  /**
   * A oneM2M answer (MEF, MAF): the response status code. The edge sends it in X-M2M-RSC, echoes
   * X-M2M-RI and, without `status`, maps it by the one TS-0009 table (the binding's, never the role's).
   */
  rsc?: number;
  /** A list is sent as repeated header lines (several WWW-Authenticate challenges, RFC 9110 11.6.1). */
  headers?: Readonly<Record<string, string | readonly string[]>>;
  body?: Uint8Array | string;
  /** Close the connection after answering (an unread body remainder, a refused session). */
  close?: boolean;
}

export interface EdgeRoute {
  /** 'GET', 'POST', ... or '*' for any method (the handler answers 405 itself). */
  method: string;
  /**
   * '/maf/symmKeyReg/:rid': literal segments and `:name` segments (one non-empty segment each); a
   * final '/*' matches the rest of the path (also nothing).
   */
  path: string;
  /** Largest accepted body (bytes), larger: 413 and the connection closes. Default 16 KiB. */
  maxBodyBytes?: number;
  /** The answer to a body over the limit in the served protocol's own error shape; default JSON 413. */
  tooLarge?: EdgeResponse;
  /** Further request headers the handler reads (lower-case). */
  headers?: readonly string[];
  handle(req: EdgeRequest): Promise<EdgeResponse>;
}

/** Shape of the answers the edge itself writes (no route, body too large, a thrown error). */
export type EdgeErrorShape =
  /** oneM2M (TS-0009 6.4): X-M2M-RSC, echoed X-M2M-RI, body {"m2m:dbg": message, "code": code}. */
  | 'onem2m'
  /** Plain JSON: body {"code": code, "error": message} (admin APIs, EST, DSKPP). */
  | 'json';

export interface HttpEdgeOptions {
  /** Mount point removed from the path before matching, e.g. '/.well-known/est'. */
  prefix?: string;
  errorShape?: EdgeErrorShape;
  /** Message of the 404 answered when no route matches. */
  notFoundMessage?: string;
  /**
   * The PSK identity of a TLS session, which Node does not expose: the framework whose PSK callback
   * saw it (saef, est) is asked. The handler only ever sees the result in transport.tls.pskIdentity.
   */
  pskIdentityOf?: (socket: TLSSocket) => string | undefined;
  /**
   * Replaces the edge's own TransportContext builder: a composer whose listener admits sessions through
   * the security-association function passes its builder (the association, its bound identities).
   */
  transportOf?: (req: IncomingMessage) => TransportContext;
  /** Server faults (never client input, never a stack): one escaped line. */
  log?: (message: string, fields: Record<string, unknown>) => void;
}

/**
 * A Node request listener serving routes. Used as express middleware (with `next`) an unmatched
 * request goes on to `next()`; without it, it is answered 404.
 */
export type HttpEdgeListener = (req: IncomingMessage, res: ServerResponse, next?: (err?: unknown) => void) => void;

/** The edge's constructor, passed down by whoever composes a server (the role cannot import a binding). */
export type HttpEdge = (routes: readonly EdgeRoute[], options?: HttpEdgeOptions) => HttpEdgeListener;
