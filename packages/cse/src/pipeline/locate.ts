// Resolves To to a local resource (TS-0004 7.3.2 / 6.2.x addressing): structured paths from the
// CSEBase name, unstructured resource IDs, '-' for the CSEBase, and the virtual children
// la / ol (container) and fopt (group).
import { isLocalTarget, M2MError, parseTarget, ResourceType, ResponseStatusCode } from '@m2msec/protocol';
import type { StoredResource } from '@m2msec/store';
import type { Core } from '../core.js';

export type Virtual = { kind: 'la' | 'ol' } | { kind: 'fopt'; rest: string };

export interface Located {
  resource: StoredResource;
  virtual?: Virtual;
}

function notFound(to: string): never {
  throw new M2MError(ResponseStatusCode.NOT_FOUND, `resource '${to}' does not exist`);
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
  let consumed: number;
  if (segments[0] === core.config.cseBaseName) {
    base = await res.getBySrn(segments.join('/'));
    if (base) return { resource: base };
    consumed = segments.length - 1;
    while (consumed > 0 && !(base = await res.getBySrn(segments.slice(0, consumed).join('/')))) consumed--;
  } else {
    base = await res.get(segments[0]!);
    consumed = 1;
    if (base && segments.length > 1) {
      const full = await res.getBySrn(`${base.srn}/${segments.slice(1).join('/')}`);
      if (full) return { resource: full };
      // try prefixes below the unstructured base
      consumed = segments.length - 1;
      let found: StoredResource | undefined;
      while (consumed > 1 && !(found = await res.getBySrn(`${base.srn}/${segments.slice(1, consumed).join('/')}`))) consumed--;
      if (found) base = found;
    }
  }
  if (!base) notFound(to);
  const rest = segments.slice(consumed);
  if (rest.length === 0) return { resource: base };
  const [head, ...tail] = rest;
  if ((head === 'la' || head === 'ol') && tail.length === 0 && base.ty === ResourceType.container) {
    return { resource: base, virtual: { kind: head } };
  }
  if (head === 'fopt' && base.ty === ResourceType.group) return { resource: base, virtual: { kind: 'fopt', rest: tail.join('/') } };
  notFound(to);
}
