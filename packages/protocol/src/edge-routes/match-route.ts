// Route patterns of the edge routes (served by binding-http and binding-mqtt alike): literal segments, `:name` segments (one non-empty segment) and a
// final '/*' (the rest of the path). Compiled once; matching is a split and a walk, no regular expression.
import type { EdgeRoute } from '../edge.js';

export interface CompiledRoute {
  route: EdgeRoute;
  segments: readonly string[];
  rest: boolean;
}

export function compileRoute(route: EdgeRoute): CompiledRoute {
  if (!route.path.startsWith('/')) throw new TypeError(`edge route '${route.path}' must start with '/'`);
  const rest = route.path === '/*' || route.path.endsWith('/*');
  const body = rest ? route.path.slice(0, -2) : route.path;
  const segments = body.split('/').slice(1);
  // '/' alone is the mount point itself.
  return { route, segments: segments.length === 1 && segments[0] === '' ? [] : segments, rest };
}

/** The decoded `:name` values when the path matches, else undefined (a bad percent-escape never matches). */
export function matchPath(c: CompiledRoute, path: string): Record<string, string> | undefined {
  const parts = path === '/' || path === '' ? [] : path.split('/').slice(1);
  if (c.rest ? parts.length < c.segments.length : parts.length !== c.segments.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < c.segments.length; i++) {
    const want = c.segments[i]!;
    const got = parts[i]!;
    if (want.startsWith(':')) {
      if (got === '') return undefined;
      try {
        params[want.slice(1)] = decodeURIComponent(got);
      } catch {
        return undefined;
      }
    } else if (want !== got) return undefined;
  }
  return params;
}
