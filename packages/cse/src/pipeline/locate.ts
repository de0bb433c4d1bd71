// Resolves To to a local resource (TS-0004 7.3.2 / 6.2.x addressing): structured paths from the
// CSEBase name, unstructured resource IDs, '-' for the CSEBase, and the virtual children
// la / ol (container, timeSeries), fopt (group) and pcu (pollingChannel).
import { isLocalTarget, M2MError, parseTarget, ResourceType, ResponseStatusCode } from '@m2msec/protocol';
import type { StoredResource } from '@m2msec/store';
import type { Core } from '../core.js';

export type Virtual = { kind: 'la' | 'ol' } | { kind: 'fopt'; rest: string } | { kind: 'pcu' };

export interface Located {
  resource: StoredResource;
  virtual?: Virtual;
}

function notFound(to: string): never {
  throw new M2MError(ResponseStatusCode.NOT_FOUND, `resource '${to}' does not exist`);
}

/** The resource at the longest stored structured prefix of `segments` (under `srnPrefix`), and its length. */
async function longestStoredPrefix(
  core: Core,
  segments: string[],
  srnPrefix: string,
): Promise<[StoredResource | undefined, number]> {
  const last = segments[segments.length - 1];
  if ((last === 'la' || last === 'ol') && segments.length >= 2) {
    // 'la' and 'ol' are reserved child names of a container and a timeSeries (validate-resource.ts), so
    // under one of those the name can only be the virtual child: one read (the parent) instead of two.
    const parent = await core.store.resources.getBySrn(srnPrefix + segments.slice(0, -1).join('/'));
    if (parent?.ty === ResourceType.container || parent?.ty === ResourceType.timeSeries)
      return [parent, segments.length - 1];
  }
  for (let n = segments.length; n >= 1; n--) {
    const r = await core.store.resources.getBySrn(srnPrefix + segments.slice(0, n).join('/'));
    if (r) return [r, n];
  }
  return [undefined, 0];
}

export async function locate(core: Core, to: string): Promise<Located> {
  const target = parseTarget(to);
  if (!isLocalTarget(target, core.idContext)) {
    throw new M2MError(
      ResponseStatusCode.TARGET_NOT_REACHABLE,
      `target '${to}' is hosted by another CSE and no route to it is configured`,
    );
  }
  const res = core.store.resources;
  const segments = target.path === '' ? [] : target.path.split('/');
  if (segments[0] === '-') segments[0] = core.config.cseBaseName;
  if (segments.length === 0) return { resource: (await res.get(core.cseBaseRi))! };

  // The longest stored prefix is the resource; what follows may only be a virtual child.
  let base: StoredResource | undefined;
  let consumed = 0;
  if (segments[0] === core.config.cseBaseName) {
    [base, consumed] = await longestStoredPrefix(core, segments, '');
  } else {
    const first = await res.get(segments[0]!);
    if (first) {
      const [below, n] = await longestStoredPrefix(core, segments.slice(1), `${first.srn}/`);
      base = below ?? first;
      consumed = 1 + n;
    }
  }
  if (!base) notFound(to);
  const rest = segments.slice(consumed);
  if (rest.length === 0) return { resource: base };
  const [head, ...tail] = rest;
  const hasLatest = base.ty === ResourceType.container || base.ty === ResourceType.timeSeries; // 7.4.27, 7.4.28
  if ((head === 'la' || head === 'ol') && tail.length === 0 && hasLatest) {
    return { resource: base, virtual: { kind: head } };
  }
  if (head === 'pcu' && tail.length === 0 && base.ty === ResourceType.pollingChannel)
    return { resource: base, virtual: { kind: 'pcu' } };
  if (head === 'fopt' && base.ty === ResourceType.group)
    return { resource: base, virtual: { kind: 'fopt', rest: tail.join('/') } };
  notFound(to);
}
