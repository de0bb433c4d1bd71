// The request side of an access decision (TS-0003 7.1.2) is worked out by the decision point of
// @m2msec/authorization (request-state.ts there), once per request; this module names it for the CSE.
import type { GeoLocation, RequestState } from '@m2msec/authorization';
import type { Core } from '../core.js';
import type { RequestContext } from '../request-context.js';

export type AccessState = RequestState;

/** Per-request memo; shared by the copies of a context made for fan-out and transactions. */
export interface AccessMemo {
  state?: Promise<AccessState>;
}

export function accessState(core: Core, ctx: RequestContext): Promise<AccessState> {
  return core.pdp.state(ctx);
}

export function locationOf(core: Core, ctx: RequestContext, state: AccessState): Promise<GeoLocation | undefined> {
  return core.pdp.location(ctx, state);
}
