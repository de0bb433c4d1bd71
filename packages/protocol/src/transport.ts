// What a binding tells the layers below about how a request arrived (DESIGN.md section 2), and the
// handler contract between a binding and the CSE core. Nothing below a binding reads sockets or headers.
import type { RequestPrimitive, ResponsePrimitive } from './primitive.js';

export type BindingName = 'http' | 'mqtt' | 'coap' | 'internal';

/** What a TLS session proved about the peer (TS-0003 8.2 SAEFs). */
export interface TlsContext {
  /** The PSK identity the handshake used (PSK, MAF-based and DerivedKey frameworks). */
  pskIdentity?: string;
  /** The verified peer certificate chain's leaf (certificate-based framework). */
  peerCertificate?: { subjectAltNames: string[]; fingerprint256: string; der?: Uint8Array };
  /** RFC 5705 exporter of the session, for key derivations bound to it. */
  exportKeyingMaterial?: (length: number, label: string, context?: Uint8Array) => Uint8Array;
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
  send(poa: string, req: RequestPrimitive, opts?: { timeoutMs?: number }): Promise<ResponsePrimitive>;
}
