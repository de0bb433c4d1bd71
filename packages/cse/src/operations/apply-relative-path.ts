// applyRelativePath (TS-0004 7.3.3.17.17): after matching, each matched resource is replaced by the resource
// at its path plus the relative path; a path that names no resource drops the match.
import { M2MError, ResponseStatusCode } from '@m2msec/protocol';
import type { StoredResource } from '@m2msec/store';
import type { Core } from '../core.js';
import { locate } from '../pipeline/locate.js';
import type { RequestContext } from '../request-context.js';
import { latestOrOldest } from './retrieve.js';

/** Refuses an applyRelativePath that is not a relative resource path (4000). */
export function checkRelativePath(arp: string): void {
  if (arp === '' || arp.startsWith('/') || arp.includes('//') || /[?#]/.test(arp))
    throw new M2MError(
      ResponseStatusCode.BAD_REQUEST,
      `applyRelativePath (arp) '${arp}' must be a relative resource path such as '../cnt/la'`,
    );
}

/** The resource at `match`'s structured path extended by `arp` ('..' goes up; 'la' / 'ol' of a container). */
export async function applyRelativePath(
  core: Core,
  ctx: RequestContext,
  match: StoredResource,
  arp: string,
): Promise<StoredResource | undefined> {
  const segments = match.srn.split('/');
  for (const seg of arp.split('/')) {
    if (seg === '.' || seg === '') continue;
    if (seg === '..') {
      if (segments.length <= 1) return undefined; // above the <CSEBase>
      segments.pop();
    } else segments.push(seg);
  }
  try {
    const { resource, virtual } = await locate(core, segments.join('/'));
    if (!virtual) return resource;
    if (virtual.kind === 'la' || virtual.kind === 'ol') return await latestOrOldest(ctx, resource, virtual.kind);
    return undefined; // a fanOutPoint is no resource to return
  } catch (e) {
    if (e instanceof M2MError && e.rsc === ResponseStatusCode.NOT_FOUND) return undefined;
    throw e;
  }
}
