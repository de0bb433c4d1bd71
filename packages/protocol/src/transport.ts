// What a binding tells the layers below about how a request arrived (DESIGN.md section 2), and the
// handler contract between a binding and the CSE core. Nothing below a binding reads sockets or headers.
import type { RequestPrimitive, ResponsePrimitive } from './primitive.js';

export type BindingName = 'http' | 'mqtt' | 'coap' | 'internal';

/**
 * What a TLS session proved about the peer (TS-0003 8.2 SAEFs). A binding may hand the same object to every
 * request of one handshake, so a consumer may key a per-session cache on it (a WeakMap), never mutate it.
 */
export interface TlsContext {
  /** The PSK identity the handshake used (PSK, MAF-based and DerivedKey frameworks). */
  pskIdentity?: string;
  /** The verified peer certificate chain's leaf (certificate-based framework). */
  peerCertificate?: { subjectAltNames: string[]; fingerprint256: string; der?: Uint8Array };
  /** RFC 5705 exporter of the session, for key derivations bound to it. */
  exportKeyingMaterial?: (length: number, label: string, context?: Uint8Array) => Uint8Array;
  /** The negotiated version, 'TLSv1.2' or 'TLSv1.3' (channel bindings differ, RFC 9266). */
  protocol?: string;
  /**
   * RFC 5929 3.1 tls-unique of the latest handshake as the server sees it (TLS 1.2 only: the first
   * Finished message), for RFC 7030 3.5 channel binding; undefined when the session has none.
   */
  tlsUnique?: () => Uint8Array | undefined;
  /** Runs the listener once the connection of this session closes (per-session state is wiped then). */
  onClose?: (listener: () => void) => void;
}

export interface TransportContext {
  binding: BindingName;
  /** Remote address as seen by the socket (never a request header unless a trusted proxy is configured). */
  peerAddress?: string;
  peerPort?: number;
  /** Absent for plain (unprotected) transports. */
  tls?: TlsContext;
  /** MQTT (TS-0010): the ClientId and the credential-ID the broker authenticated (reg_req topic). */
  mqtt?: { clientId?: string; credentialId?: string };
  /** Set by the security-association function: identities bound to the association that carried the request. */
  association?: { boundIds: string[]; credentialId?: string; framework: string };
}

/** A response plus binding-level facts the primitive does not carry (HTTP Content-Location). */
export interface HandlerResponse extends ResponsePrimitive {
  /** Address of a created resource (structured, CSE-relative), for Content-Location. */
  location?: string;
}

/** The CSE as a binding sees it. */
export type RequestHandler = (req: RequestPrimitive, transport: TransportContext) => Promise<HandlerResponse>;

/**
 * Sends a request primitive to a point of access (a URL such as http://host:port/path or mqtt://...)
 * and returns the response; used for notifications and retargeting. Rejects with an M2MError
 * (5103 TARGET_NOT_REACHABLE / 4008 REQUEST_TIMEOUT) when the target cannot be reached in time.
 */
export interface RequestSender {
  /** URL schemes this sender handles, e.g. ['http', 'https']. */
  readonly schemes: readonly string[];
  send(poa: string, req: RequestPrimitive, opts?: SendOptions): Promise<ResponsePrimitive>;
}

export interface SendOptions {
  timeoutMs?: number;
  /**
   * An IP address already checked by the caller's target policy; the sender connects there instead of
   * resolving the point of access's host again (which a DNS rebinding could change), and keeps the host in
   * Host / SNI. Senders whose scheme names no network host (MQTT) ignore it.
   */
  connectAddress?: string;
  /**
   * The request is retargeted to the CSE behind `poa` (TS-0004 7.3.2.6): its To addresses a resource
   * there, so a binding that carries To in the address (HTTP, TS-0009 6.2.2.1) keeps it for a NOTIFY too
   * (an ESPrim outer NOTIFY to a <CSEBase>, TS-0004 7.6.2). Without it a NOTIFY goes to `poa` as given
   * (a notification target's URI).
   */
  retarget?: boolean;
}
