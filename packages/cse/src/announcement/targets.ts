// The announceTo (at) and announcedAttribute (aa) of a CREATE / UPDATE, checked before anything is
// written (TS-0004 7.3.3.10 / 7.3.3.11). This CSE announces to CSE-IDs of CSEs registered with it in
// either direction (a <remoteCSE> under its <CSEBase>: its registrar or a registree), over the Mcc
// association that registration set up. Refusals, by TS-0004 7.3.3.3 (O attribute for CREATE) unless
// another clause names the code:
// - at / aa on a type this CSE does not announce, or an at entry that is a resource address rather than a
//   CSE-ID (announcement to an address is not offered): a feature not supported, 5001 NOT_IMPLEMENTED;
// - a CSE-ID with no <remoteCSE> here, this CSE's own CSE-ID, an aa entry that is not an OA attribute of
//   the type: a value not accepted, 4000 BAD_REQUEST;
// - a <contentInstance> whose parent is not announced to the target: 4005 OPERATION_NOT_ALLOWED
//   (7.3.3.10 step 1a).
import { M2MError, ResourceType, ResponseStatusCode } from '@m2msec/protocol';
import type { StoredResource } from '@m2msec/store';
import type { Core } from '../core.js';
import { ANNOUNCEABLE, type Announceable, optionalAnnounced } from './announceable.js';

export interface AnnouncementPlan {
  spec: Announceable;
  /** Announced resources (SP-relative URIs) that stay. */
  keep: string[];
  /** CSE-IDs to announce to. */
  add: string[];
  /** Announced resources to delete. */
  remove: string[];
  /** The aa in force after the request. */
  aa: string[];
  /** OA attributes leaving aa (set to NULL at the announced resources, 7.3.3.11). */
  aaRemoved: string[];
  /** aa was changed by the request. */
  aaChanged: boolean;
}

const bad = (m: string) => new M2MError(ResponseStatusCode.BAD_REQUEST, m);
const notOffered = (m: string) => new M2MError(ResponseStatusCode.NOT_IMPLEMENTED, m);

/** The CSE-ID part of an SP-relative announced resource address ('/id-in/aeA123' -> '/id-in'). */
export const cseOfUri = (uri: string): string => `/${uri.split('/')[1] ?? ''}`;

/** The address under which `r` is announced at CSE `csi`, if it is. */
export function announcedAt(r: StoredResource | undefined, csi: string): string | undefined {
  return Array.isArray(r?.at) ? (r.at as string[]).find((u) => cseOfUri(u) === csi && u !== csi) : undefined;
}

function normaliseCseId(core: Core, entry: string): string | undefined {
  const abs = `//${core.config.spId}/`;
  const id = entry.startsWith(abs) ? `/${entry.slice(abs.length)}` : entry;
  return /^\/[^/]+$/.test(id) ? id : undefined;
}

/**
 * Checks at / aa of the request (removing at from `attrs`: the stored at is only ever the list of
 * announced resources, written after the announcement) and returns what to do after the commit.
 * Undefined when the request neither touches at / aa nor changes an announced resource.
 */
export async function planAnnouncement(
  core: Core,
  ty: number,
  parent: StoredResource | undefined,
  attrs: Record<string, unknown>,
  current?: StoredResource,
): Promise<AnnouncementPlan | undefined> {
  const spec = ANNOUNCEABLE.get(ty);
  const touches = 'at' in attrs || 'aa' in attrs;
  if (!spec) {
    if (touches)
      throw notOffered(
        `announcement (announceTo / announcedAttribute) of resource type ${ty} is not offered by this CSE`,
      );
    return undefined;
  }
  const stored = Array.isArray(current?.at) ? (current.at as string[]) : [];
  if (!touches && stored.length === 0) return undefined;

  const oldAa = Array.isArray(current?.aa) ? (current.aa as string[]) : [];
  let aa = oldAa;
  if ('aa' in attrs) {
    aa = attrs.aa === null ? [] : [...new Set(attrs.aa as string[])];
    const oa = optionalAnnounced(spec, current ?? attrs);
    for (const a of aa)
      if (!oa.includes(a))
        throw bad(`announcedAttribute '${a}' is not an Optional Announced attribute of resource type ${ty}`);
  }

  const keep: string[] = [];
  const add: string[] = [];
  let remove: string[] = [];
  if (!('at' in attrs)) keep.push(...stored);
  else {
    const requested = attrs.at === null ? [] : (attrs.at as string[]);
    delete attrs.at;
    for (const entry of requested) {
      if (stored.includes(entry)) {
        if (!keep.includes(entry)) keep.push(entry);
        continue;
      }
      const csi = normaliseCseId(core, entry);
      if (!csi)
        throw notOffered(
          `announceTo entry '${entry}' is not a CSE-ID; this CSE announces to the CSE-IDs of registered CSEs only`,
        );
      if (csi === core.config.cseId) throw bad(`announceTo entry '${entry}' names this CSE`);
      const already = stored.find((u) => cseOfUri(u) === csi);
      if (already) {
        if (!keep.includes(already)) keep.push(already);
      } else if (!add.includes(csi)) add.push(csi);
    }
    remove = stored.filter((u) => !keep.includes(u));
  }
  if (add.length > 0) {
    const remotes = await core.store.resources.children(core.cseBaseRi, { ty: [ResourceType.remoteCSE] });
    for (const csi of add) {
      if (!remotes.some((r) => r.csi === csi))
        throw bad(`announceTo '${csi}': no CSE of that CSE-ID is registered with this CSE (no <remoteCSE>)`);
      if (spec.underAnnouncedParentOnly && !announcedAt(parent, csi))
        throw new M2MError(
          ResponseStatusCode.OPERATION_NOT_ALLOWED,
          `announceTo '${csi}': the parent resource is not announced there (TS-0004 7.3.3.10)`,
        );
    }
  }
  return {
    spec,
    keep,
    add,
    remove,
    aa,
    aaRemoved: oldAa.filter((a) => !aa.includes(a)),
    aaChanged: 'aa' in attrs,
  };
}
