// One request listener per IN-CSE server: the few non-oneM2M paths (upper tester, admin) go to a
// small express app, everything else straight to the oneM2M binding, with no router layers on the
// hot path (docs/in-cse.md, "Speed").
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { HttpBinding } from '@m2msec/binding-http';
import { httpErrorEdge } from '@m2msec/protocol';
import express, { type Router } from 'express';

export const extraPathPrefixes = ['/__ut__', '/.well-known/m2msec/'] as const;

export function requestListener(
  binding: HttpBinding,
  extras: Router[],
  log?: (message: string, fields: Record<string, unknown>) => void,
): RequestListener {
  const app = express();
  app.disable('x-powered-by');
  for (const r of extras) app.use(r);
  // A body parser or route failure in an extra path (malformed or oversized JSON, control bytes) is a
  // JSON answer, never express's HTML stack page, and nothing of the body reaches a log (docs/hardening.md).
  app.use(httpErrorEdge(log ? { log } : {}));
  app.use(binding.router); // an unmatched extra path still gets a oneM2M answer
  app.use(httpErrorEdge(log ? { log } : {}));
  return (req: IncomingMessage, res: ServerResponse) => {
    const url = req.url ?? '';
    if (extraPathPrefixes.some((p) => url.startsWith(p))) app(req, res);
    else binding.handle(req, res);
  };
}
