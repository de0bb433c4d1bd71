// JSON root element of a stored resource: the protocol's served types, plus <request> (TS-0004 7.4.12,
// 'm2m:req' in Table 8.2.4-1), which the CSE creates itself for non-blocking requests and never accepts
// in a CREATE or UPDATE content, so it has no place in the protocol's content validation.
import { rootNameFor } from '@m2msec/protocol';

export const REQUEST_TY = 17;

export function rootName(ty: number): string {
  return ty === REQUEST_TY ? 'm2m:req' : rootNameFor(ty);
}
