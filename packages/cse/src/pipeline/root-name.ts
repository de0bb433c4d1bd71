// JSON root element of a stored resource: the protocol's served types (a <mgmtObj> or <flexContainer> by its
// specialization), plus <request> (TS-0004 7.4.12, 'm2m:req' in Table 8.2.4-1), which the CSE creates itself
// for non-blocking requests and never accepts in a CREATE or UPDATE content, so it has no place in the
// protocol's content validation.
import { rootNameOfResource } from '@m2msec/protocol';
import type { StoredResource } from '@m2msec/store';

export const REQUEST_TY = 17;

/** The root of this resource's representation. */
export function rootNameOf(r: StoredResource): string {
  return r.ty === REQUEST_TY ? 'm2m:req' : rootNameOfResource(r);
}
