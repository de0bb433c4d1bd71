// TS-0009 6.4.4: Content-Location of a CREATE response is a URI the client can use for the new resource.
import { pathForTo } from '../request/target.js';

export interface LocalIds {
  /** SP-relative CSE-ID, e.g. '/id-in'. */
  cseId: string;
  /** M2M-SP-ID without '//', e.g. 'm2msec.example'. */
  spId: string;
}

/**
 * The path for a created resource's address, below the binding's mount point. An address in this
 * CSE's own SP-relative or absolute form is shortened to the CSE-relative path.
 */
export function contentLocation(location: string, ids: LocalIds, mountPath: string): string {
  let to = location;
  const spRelative = `${ids.cseId}/`;
  const absolute = `//${ids.spId}${ids.cseId}/`;
  if (to.startsWith(absolute)) to = to.slice(absolute.length);
  else if (to.startsWith(spRelative) && !to.startsWith('//')) to = to.slice(spRelative.length);
  return `${mountPath}${pathForTo(to)}`;
}
