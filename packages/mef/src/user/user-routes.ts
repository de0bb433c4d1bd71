// The username / password listener's authentication step (RFC 7030 3.2.3 / RFC 7616 inside server-only
// TLS) in front of transport-free routes: every request authenticates first, whatever route it names,
// and a route learns the proven user through userOf. A refusal is the 401 challenge or the 429 lock-out.
import type { EdgeRequest, EdgeRoute } from '@m2msec/protocol';
import { authenticateUser, type UserAuthContext } from './authenticate-user.js';

export interface UserRoutes {
  routes: EdgeRoute[];
  /** The username the authentication step proved for this request (as the wrapped route received it). */
  userOf(req: EdgeRequest): string | undefined;
}

export function withUserAuthentication(c: UserAuthContext, routes: readonly EdgeRoute[]): UserRoutes {
  const users = new WeakMap<EdgeRequest, string>();
  return {
    userOf: (req) => users.get(req),
    routes: routes.map((route) => ({
      ...route,
      async handle(req) {
        const a = await authenticateUser(c, {
          method: req.method,
          uri: req.target,
          authorization: req.headers.authorization,
          remoteAddress: req.transport.peerAddress ?? '',
        });
        if (!a.ok) {
          return {
            status: a.status,
            headers: { ...a.headers, 'content-type': 'application/json' },
            body: JSON.stringify({ 'm2m:dbg': a.message, code: a.status === 429 ? 'USER_LOCKED_OUT' : 'UNAUTHORIZED' }),
          };
        }
        const authenticated = { ...req };
        users.set(authenticated, a.username);
        return route.handle(authenticated);
      },
    })),
  };
}
