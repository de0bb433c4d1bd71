// The decision explainer for administrators (issue 11 item 3, used by the console): "would X be allowed
// op Y on Z now, and by which rule?" Z is located like a request's To, X normalised like From, and the
// answer is the decision point's own evaluation (@m2msec/authorization AccessDecisionPoint.explain), so
// it cannot drift from what the CSE enforces. No DAS is consulted (an explanation creates no grant) and
// nothing is written. Who may ask is the caller's concern (node's admin surface: an administrator proven
// by its association).
import { type AccessExplanation, ADMINISTRATOR } from '@m2msec/authorization';
import {
  AccessControlOperation,
  M2MError,
  Operation,
  parseOriginator,
  ResponseStatusCode,
  toSpRelativeOriginator,
} from '@m2msec/protocol';
import type { Core } from '../core.js';
import { locate } from '../pipeline/locate.js';
import type { RequestContext } from '../request-context.js';

export interface ExplainQuery {
  /** The originator X, in any form of TS-0001 Table 7.2-1 (normalised like From). */
  from: string;
  /** acop name: create, retrieve, update, delete, notify, discovery (or discover). */
  op: string;
  /** The target Z, like a request's To. */
  to: string;
  /** CREATE: the type to be created (acod chty). */
  ty?: number;
  /** rq_authn; an originator on its own association is authenticated (default true). */
  authenticated?: boolean;
  /** rq_ip, for acip contexts. */
  peerAddress?: string;
}

const OPERATIONS: Readonly<Record<string, [number, Operation]>> = {
  create: [AccessControlOperation.CREATE, Operation.CREATE],
  retrieve: [AccessControlOperation.RETRIEVE, Operation.RETRIEVE],
  update: [AccessControlOperation.UPDATE, Operation.UPDATE],
  delete: [AccessControlOperation.DELETE, Operation.DELETE],
  notify: [AccessControlOperation.NOTIFY, Operation.NOTIFY],
  discovery: [AccessControlOperation.DISCOVERY, Operation.RETRIEVE],
  discover: [AccessControlOperation.DISCOVERY, Operation.RETRIEVE],
};

const bad = (message: string): never => {
  throw new M2MError(ResponseStatusCode.BAD_REQUEST, message);
};

export async function explainAccess(
  core: Core,
  q: ExplainQuery,
  isAdministratorId: (originator: string) => boolean,
): Promise<AccessExplanation & { target: string }> {
  const op = Object.hasOwn(OPERATIONS, q.op) ? OPERATIONS[q.op] : undefined;
  if (!op) bad(`op must be one of ${Object.keys(OPERATIONS).join(', ')}`);
  const [operation, primitiveOp] = op!;
  if (typeof q.from !== 'string' || q.from === '') bad('from is required');
  if (typeof q.to !== 'string' || q.to === '') bad('to is required');
  let originator = '';
  try {
    originator = toSpRelativeOriginator(parseOriginator(q.from), core.idContext);
  } catch {
    bad(`from '${q.from.slice(0, 64)}' is not an originator ID`);
  }
  const { resource } = await locate(core, q.to);
  if (isAdministratorId(originator)) return { ...ADMINISTRATOR, target: resource.srn, policies: [], rules: [] };
  const ctx: RequestContext = {
    req: { op: primitiveOp, to: q.to, fr: originator, rqi: 'explain', ...(q.ty !== undefined ? { ty: q.ty } : {}) },
    transport: { binding: 'http', ...(q.peerAddress ? { peerAddress: q.peerAddress } : {}) },
    originator,
    authenticated: q.authenticated ?? true,
    admin: false,
    now: new Date(),
    store: core.store,
  };
  // A type's own originator rule (e.g. a <request> only for its originator) refuses before the policies.
  try {
    await core.handlers.get(resource.ty)?.checkOriginator?.(ctx, resource);
  } catch (e) {
    if (e instanceof M2MError && e.rsc === ResponseStatusCode.ORIGINATOR_HAS_NO_PRIVILEGE)
      return { permit: false, reason: e.message, target: resource.srn, policies: [], rules: [] };
    throw e;
  }
  return { ...(await core.pdp.explain(ctx, resource, operation)), target: resource.srn };
}
