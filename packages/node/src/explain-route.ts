// GET /.well-known/m2msec/explain?from=X&op=Y&to=Z[&ty=N][&authenticated=false][&ip=A]: the CSE's decision
// explainer (Cse.explainAccess: would X be allowed Y on Z now, and by which rule) for an administrator
// principal proven by its association only, like the credential routes (admin-routes.ts): it reveals who
// the policies admit. Transport-free: the HTTP edge hands it the query and sends what it returns.

import type { Cse } from '@m2msec/cse';
import { isM2msecError } from '@m2msec/protocol';

export const EXPLAIN_PATH = '/.well-known/m2msec/explain';

const one = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** The answer for a caller already proven an administrator. */
export async function explainRoute(
  cse: Pick<Cse, 'explainAccess'>,
  query: Record<string, unknown>,
): Promise<{ status?: number; rsc?: number; body: unknown }> {
  const ty = one(query.ty);
  const authenticated = one(query.authenticated);
  const ip = one(query.ip);
  if (ty !== undefined && !/^\d{1,5}$/.test(ty))
    return { status: 400, body: { error: 'ty must be a resource type number' } };
  if (authenticated !== undefined && authenticated !== 'true' && authenticated !== 'false')
    return { status: 400, body: { error: 'authenticated must be true or false' } };
  try {
    const e = await cse.explainAccess({
      from: one(query.from) ?? '',
      op: one(query.op) ?? '',
      to: one(query.to) ?? '',
      ...(ty !== undefined ? { ty: Number(ty) } : {}),
      ...(authenticated !== undefined ? { authenticated: authenticated === 'true' } : {}),
      ...(ip !== undefined ? { peerAddress: ip } : {}),
    });
    return { status: 200, body: e };
  } catch (e) {
    // A oneM2M refusal (4000 bad query, 4004 no such target) says why; the HTTP edge maps its rsc by the one
    // TS-0009 table (docs/errors.md). Anything else says nothing more.
    if (isM2msecError(e)) return { rsc: e.rsc, body: { rsc: e.rsc, error: e.message } };
    return { status: 500, body: { error: 'explanation failed' } };
  }
}
