// Route patterns of protocol's EdgeRoute (literal segments, `:name` segments, a final '/*'), matched
// against the path a request primitive's To names. The same rules as binding-http's edge matcher: a
// binding may not import another binding, so the dozen lines live in each.
import type { EdgeRoute } from '@m2msec/protocol';

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
