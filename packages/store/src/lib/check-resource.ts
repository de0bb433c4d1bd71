import type { StoredResource } from '../types.js';
import { checkText } from './check-text.js';
import { isInt32 } from './is-int32.js';
import { toJson } from './to-json.js';

/** What the backends store for a resource: the indexed columns and the whole resource as JSON. */
export interface ResourceRow {
  ri: string;
  pi: string | null; // null for a root ('' in the resource), so the parent foreign key does not apply
  parentSrn: string | null;
  srn: string;
  ty: number;
  ct: string;
  lt: string;
  et: string | null;
  lvl: number;
  lbl: string[];
  doc: string;
}

/**
 * Checks a resource before any write and derives its row. The srn is a '/'-separated path without
 * empty segments; its depth (lvl) drives subtree depth limits and its parent path must be the parent's srn.
 */
export function checkResource(r: StoredResource): ResourceRow {
  if (typeof r !== 'object' || r === null || Array.isArray(r)) throw new TypeError('resource must be an object');
  const ri = checkText(r.ri, 'resource ri');
  const pi = checkText(r.pi, 'resource pi', true);
  const srn = checkText(r.srn, 'resource srn');
  if (typeof r.rn !== 'string') throw new TypeError('resource rn must be a string');
  if (!isInt32(r.ty)) throw new TypeError('resource ty must be an integer (32-bit)');
  const segments = srn.split('/');
  if (segments.includes('')) throw new TypeError(`resource srn '${srn}' has an empty segment`);
  if (pi !== '' && segments.length < 2) throw new TypeError(`resource srn '${srn}' has no parent path but pi is set`);
  const ct = checkText(r.ct, 'resource ct');
  const lt = checkText(r.lt, 'resource lt');
  const et = r.et === undefined ? null : checkText(r.et, 'resource et');
  let lbl: string[] = [];
  if (r.lbl !== undefined) {
    if (!Array.isArray(r.lbl)) throw new TypeError('resource lbl must be an array of strings');
    lbl = r.lbl.map((l, i) => checkText(l, `resource lbl[${i}]`));
  }
  return {
    ri,
    pi: pi === '' ? null : pi,
    parentSrn: pi === '' ? null : segments.slice(0, -1).join('/'),
    srn,
    ty: r.ty,
    ct,
    lt,
    et,
    lvl: segments.length,
    lbl: [...new Set(lbl)],
    doc: toJson(r, `resource ${ri}`),
  };
}
