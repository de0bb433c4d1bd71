import type { Originator, RequestPrimitive, TransportContext } from '@m2msec/protocol';
import type { Store } from '@m2msec/store';
import type { AccessMemo } from './pipeline/access-state.js';

/** Everything the steps below the binding know about one request. */
export interface RequestContext {
  req: RequestPrimitive;
  transport: TransportContext;
  /** Parsed From (absent only for an AE registration without From). */
  from?: Originator;
  /** From normalised to the SP-relative form (absolute for other SPs); '' when absent. */
  originator: string;
  /** rq_authn (TS-0003 7.1.2). */
  authenticated: boolean;
  /** The originator has the system's fixed full privileges. */
  admin: boolean;
  /** Request time, one value for the whole request (rq_time). */
  now: Date;
  /** Store handle (inside a transaction for writes). */
  store: Omit<Store, 'transaction' | 'close'>;
  /** The request side of access decisions, worked out once (pipeline/access-state.ts). */
  access?: AccessMemo;
}
