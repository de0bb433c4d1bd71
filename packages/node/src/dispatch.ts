// One request listener per IN-CSE server: the few non-oneM2M paths (upper tester, admin) are routes of the
// shared HTTP edge, everything else goes straight to the oneM2M binding, with no router layers on the hot
// path (docs/in-cse.md, "Speed"). An extra path no route matches still gets a oneM2M answer (the binding's).
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { type HttpBinding, httpEdge } from '@m2msec/binding-http';
import type { EdgeRoute, TransportContext } from '@m2msec/protocol';

export const extraPathPrefixes = ['/__ut__', '/.well-known/m2msec/'] as const;

export function requestListener(
  binding: HttpBinding,
  extras: readonly EdgeRoute[],
  transportOf: (req: IncomingMessage) => TransportContext,
  log?: (message: string, fields: Record<string, unknown>) => void,
): RequestListener {
  // A body or route failure in an extra path (malformed or oversized JSON, control bytes) is a JSON answer
  // in the oneM2M error shape, and nothing of the body reaches a log (docs/hardening.md).
  const edge = httpEdge(extras, { errorShape: 'onem2m', transportOf, ...(log ? { log } : {}) });
  return (req: IncomingMessage, res: ServerResponse) => {
    const url = req.url ?? '';
    if (extraPathPrefixes.some((p) => url.startsWith(p))) edge(req, res, () => binding.handle(req, res));
    else binding.handle(req, res);
  };
}
