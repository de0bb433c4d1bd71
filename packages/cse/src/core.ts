import type { AccessDecisionEngine } from '@m2msec/authorization';
import type { HandlerResponse, IdContext, RequestPrimitive, ResponsePrimitive } from '@m2msec/protocol';
import type { Store } from '@m2msec/store';
import type { CseConfig } from './config.js';
import type { Logger } from './logger.js';
import type { Notifier } from './notifications/notifier.js';
import type { AuthorizationServices } from './pipeline/authorization-services.js';
import type { CseDecisionPoint } from './pipeline/policy-information.js';
import type { RequestContext } from './request-context.js';
import type { ResourceTypeHandler } from './resources/handler.js';
import type { PollingChannelQueues } from './resources/polling-channel-queues.js';

/** The CSE's shared parts, handed to each pipeline step. */
export interface Core {
  config: CseConfig;
  idContext: IdContext;
  store: Store;
  handlers: ReadonlyMap<number, ResourceTypeHandler>;
  engine: AccessDecisionEngine;
  notifier: Notifier;
  /** Location source, token verification and cache, role issuers, DAS senders (TS-0003 7.1.2 - 7.4). */
  authz: AuthorizationServices;
  /** The access decision point (@m2msec/authorization) over this CSE's store; the pipeline only enforces it. */
  pdp: CseDecisionPoint;
  log: Logger;
  /** Requests waiting for a long poll of a <pollingChannel> (TS-0004 7.4.22). */
  pollingChannels: PollingChannelQueues;
  /** SP-relative CSE-IDs of the <remoteCSE>s registered here (kept current on their create/delete). */
  registreeCseIds: Set<string>;
  /** Resource ID of the <CSEBase>. */
  cseBaseRi: string;
  /** A registree <remoteCSE> was created, deleted or changed its descendantCSEs. */
  registreesChanged(): void;
  /** Before an <AE> is deleted: its AE-ID leaves credential bindings (CseOptions.onAeDeregistration). */
  onAeDeregistration?: (aei: string) => Promise<void>;
  /** Per resource: UPDATEs one after another while a Blocking_Update notification is out (TS-0004 7.5.1.2.19). */
  updateLocks: Map<string, Promise<unknown>>;
  /**
   * Sends a request this CSE originates to a CSE registered with it (its registrar or a registree) over
   * that registration's points of access (announcement, TS-0004 7.3.3.10); 4004 for any other CSE.
   */
  sendToCse(cseId: string, req: RequestPrimitive): Promise<ResponsePrimitive>;
  /** Runs an operation through the pipeline below authentication (group fan-out members). */
  dispatch(ctx: RequestContext): Promise<HandlerResponse>;
}
