// Result content (rcn, TS-0004 6.3.4.2.20 / 7.2.1.1) rendering of stored resources.

import type { StoredResource } from '@m2msec/store';
import { rootNameOf } from './root-name.js';

/** The oneM2M attributes of a stored resource (internal bookkeeping fields removed). */
export function attributesOf(r: StoredResource): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k in r) if (k !== 'srn' && !k.startsWith('__')) out[k] = r[k];
  return out;
}

export function representation(r: StoredResource): Record<string, unknown> {
  return { [rootNameOf(r)]: attributesOf(r) };
}

/** childResourceRef entries {nm, typ, val}. */
export function childReferences(children: StoredResource[]): Array<{ nm: string; typ: number; val: string }> {
  return children.map((c) => ({ nm: c.rn, typ: c.ty, val: c.srn }));
}

/** Nests descendants under their parents, grouped by the child root name (rcn 4 / 8). */
export function nest(
  root: StoredResource,
  descendants: StoredResource[],
  withRootAttributes: boolean,
): Record<string, unknown> {
  const byParent = new Map<string, StoredResource[]>();
  for (const d of descendants) {
    const list = byParent.get(d.pi);
    if (list) list.push(d);
    else byParent.set(d.pi, [d]);
  }
  const build = (r: StoredResource, attrs: boolean): Record<string, unknown> => {
    const body: Record<string, unknown> = attrs ? attributesOf(r) : {};
    for (const c of byParent.get(r.ri) ?? []) {
      const name = rootNameOf(c);
      const list = (body[name] as unknown[] | undefined) ?? [];
      list.push(build(c, true));
      body[name] = list;
    }
    return body;
  };
  return { [rootNameOf(root)]: build(root, withRootAttributes) };
}
