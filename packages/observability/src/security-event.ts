// Security lines below the request layer (a refused handshake, a replay, an authentication failure) and
// lifecycle lines (associations, enrolments, key events). Callers pass identifiers and reasons; a key,
// a PSK or a password has no field here to go into.
import type { Logger } from 'pino';
import type { Metrics } from './metrics.js';

export interface HandshakeRefusal {
  /** The security association framework ('psk', 'derived-key', 'certificate', 'maf', 'gba'). */
  framework: string;
  channel?: string;
  /** The identity the peer offered (a PSK identity is public; TS-0003 8.2.2). */
  identity?: string;
  peer?: string;
  reason: string;
  /** A replay: a spent sequence number, nonce or token. */
  replay?: boolean;
  /** The line's message (default 'handshake refused' / 'replay refused'). */
  message?: string;
}

export function handshakeRefused(log: Logger, metrics: Metrics | undefined, r: HandshakeRefusal): void {
  metrics?.handshakes.inc({ framework: r.framework, outcome: 'refused' });
  const reason = r.replay ? 'replay' : 'handshake-refused';
  metrics?.refusals.inc({ reason });
  if (r.replay) metrics?.replays.inc({ framework: r.framework });
  log.warn(
    {
      kind: 'security',
      event: r.replay ? 'replay' : 'handshake-refused',
      reason,
      framework: r.framework,
      channel: r.channel,
      identity: r.identity,
      peer: r.peer,
      detail: r.reason,
    },
    r.message ?? (r.replay ? 'replay refused' : 'handshake refused'),
  );
}

export function handshakeCompleted(metrics: Metrics | undefined, framework: string): void {
  metrics?.handshakes.inc({ framework, outcome: 'completed' });
}

export type LifecycleEvent =
  | 'association-established'
  | 'association-closed'
  | 'association-refused'
  | 'enrolment'
  | 'enrolment-failed'
  | 'key-provisioned'
  | 'key-revoked'
  | 'key-registered'
  | 'key-updated'
  | 'key-deregistered'
  | 'key-expired'
  | 'key-derived'
  | 'listener-ready'
  | 'starting'
  | 'started'
  | 'ready'
  | 'stopping'
  | 'stopped';

/** A lifecycle line; enrolment events also count in m2msec_enrolments_total. */
export function lifecycle(
  log: Logger,
  metrics: Metrics | undefined,
  event: LifecycleEvent,
  fields: Record<string, unknown> = {},
  message: string = event,
): void {
  if (event === 'enrolment' || event === 'enrolment-failed') {
    metrics?.enrolments.inc({
      framework: String(fields.framework ?? 'unknown'),
      outcome: event === 'enrolment' ? 'ok' : 'failed',
    });
  }
  log.info({ kind: 'lifecycle', event, ...fields }, message);
}
