// rcn 4 / 8 (TS-0004 6.3.4.2.20): selected descendants nested under their nearest selected ancestor, so a
// filtered selection (e.g. ty=4 under an <AE>, whose <container>s do not match) keeps every match.
import type { StoredResource } from '@m2msec/store';
import { attributesOf } from '../pipeline/result.js';
import { rootNameOf } from '../pipeline/root-name.js';

/** `descendants` must come parent-before-child (the store's path order does). */
export function nestDescendants(
  root: StoredResource,
  descendants: StoredResource[],
  withRootAttributes: boolean,
): Record<string, unknown> {
  const rootBody: Record<string, unknown> = withRootAttributes ? attributesOf(root) : {};
  const bodies = new Map<string, Record<string, unknown>>([[root.srn, rootBody]]);
  for (const d of descendants) {
    let parentBody = rootBody;
    // Nearest selected ancestor by path: the longest srn prefix already placed.
    for (let cut = d.srn.lastIndexOf('/'); cut > root.srn.length; cut = d.srn.lastIndexOf('/', cut - 1)) {
      const b = bodies.get(d.srn.slice(0, cut));
      if (b) {
        parentBody = b;
        break;
      }
    }
    const body = attributesOf(d);
    bodies.set(d.srn, body);
    const name = rootNameOf(d);
    const list = (parentBody[name] as unknown[] | undefined) ?? [];
    list.push(body);
    parentBody[name] = list;
  }
  return { [rootNameOf(root)]: rootBody };
}
