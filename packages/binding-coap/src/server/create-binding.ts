// The CSE side of TS-0008 over DTLS ("coaps"): one DTLS listener, one CoAP endpoint per DTLS session,
// the session's proven identity in every request's TransportContext.
import { DtlsServer, type DtlsServerOptions, type DtlsSession } from '@m2msec/dtls';
import type { RequestHandler, TransportContext } from '@m2msec/protocol';
import { coapTransportContext } from '../transport/transport-context.js';
import { CoapEndpoint } from './coap-endpoint.js';

export interface CoapBindingOptions {
  handler: RequestHandler;
  host: string;
  /** 5684 is the coaps default (RFC 7252 12.7). */
  port: number;
  /** PSK lookup (Kpsa, MAF Kc, DerivedKey): identity -> key; synchronous, from memory. */
  psk?: DtlsServerOptions['psk'];
  certificate?: DtlsServerOptions['certificate'];
  /** Extra certificate check inside the handshake (AuthorizedPublicKey); returns an alert name to refuse. */
  verifyPeer?: DtlsServerOptions['verifyPeer'];
  /** Runs once a handshake finished, before any request; false refuses the session (DerivedKey accept). */
  acceptSession?: (session: DtlsSession) => boolean;
  /** Adds facts to the transport context built from the session (e.g. the association's bound IDs). */
  transportContext?: (session: DtlsSession, base: TransportContext) => TransportContext;
  /** DTLS listener limits (see DtlsServerOptions; docs/hardening.md "Resource limits"). */
  maxSessions?: number;
  maxHandshakes?: number;
  maxSessionsPerPeer?: number;
  handshakesPerSecondPerPeer?: number;
  handshakeTimeoutMs?: number;
  idleTimeoutMs?: number;
  mtu?: number;
  blockSize?: number;
  maxRequestBody?: number;
  onError?: (e: unknown) => void;
  /** See CoapEndpointOptions.responseOptions. */
  responseOptions?: 'oneM2M' | 'coap-only';
}

/** The DTLS listener limits a deployment configures (docs/hardening.md "Resource limits"). */
export type CoapListenerLimits = Pick<
  CoapBindingOptions,
  | 'maxSessions'
  | 'maxHandshakes'
  | 'maxSessionsPerPeer'
  | 'handshakesPerSecondPerPeer'
  | 'handshakeTimeoutMs'
  | 'idleTimeoutMs'
>;

export interface CoapBinding {
  listen(): Promise<{ address: string; port: number }>;
  close(): Promise<void>;
  readonly dtls: DtlsServer;
}

export function createCoapBinding(opts: CoapBindingOptions): CoapBinding {
  const dtls = new DtlsServer({
    host: opts.host,
    port: opts.port,
    ...(opts.psk === undefined ? {} : { psk: opts.psk }),
    ...(opts.certificate === undefined ? {} : { certificate: opts.certificate }),
    ...(opts.verifyPeer === undefined ? {} : { verifyPeer: opts.verifyPeer }),
    ...(opts.maxSessions === undefined ? {} : { maxSessions: opts.maxSessions }),
    ...(opts.maxHandshakes === undefined ? {} : { maxHandshakes: opts.maxHandshakes }),
    ...(opts.maxSessionsPerPeer === undefined ? {} : { maxSessionsPerPeer: opts.maxSessionsPerPeer }),
    ...(opts.handshakesPerSecondPerPeer === undefined
      ? {}
      : { handshakesPerSecondPerPeer: opts.handshakesPerSecondPerPeer }),
    ...(opts.handshakeTimeoutMs === undefined ? {} : { handshakeTimeoutMs: opts.handshakeTimeoutMs }),
    ...(opts.idleTimeoutMs === undefined ? {} : { idleTimeoutMs: opts.idleTimeoutMs }),
    ...(opts.mtu === undefined ? {} : { mtu: opts.mtu }),
    onSession: (session) => {
      if (opts.acceptSession !== undefined && !opts.acceptSession(session)) return false;
      const base = coapTransportContext(session);
      const transport = opts.transportContext ? opts.transportContext(session, base) : base;
      const endpoint = new CoapEndpoint({
        handler: opts.handler,
        transport,
        send: (d) => {
          if (!session.isClosed) session.send(d);
        },
        ...(opts.blockSize === undefined ? {} : { blockSize: opts.blockSize }),
        ...(opts.maxRequestBody === undefined ? {} : { maxRequestBody: opts.maxRequestBody }),
        ...(opts.onError === undefined ? {} : { onError: opts.onError }),
        ...(opts.responseOptions === undefined ? {} : { responseOptions: opts.responseOptions }),
      });
      session.onData = (d) => endpoint.receive(d);
      return true;
    },
  });
  return {
    dtls,
    listen: () => dtls.listen(),
    close: () => dtls.close(),
  };
}
