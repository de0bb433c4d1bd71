// expirationTime (TS-0001 9.6.1.3, TS-0004 7.3.3.3 / 7.3.3.4): the Hosting CSE always configures it.
// Absent in CREATE (or NULL in UPDATE): now + the configured default. Later than the CSE's maximum
// lifetime or than the parent's expirationTime: clamped (TS-0004 7.3.3.3 lists both as cases where the
// CSE overrides the requested value; the response carries the configured value). In the past: 4000.
// An UPDATE that brings it earlier than a child's expirationTime: 4000 (7.3.3.4).
import {
  formatTimestamp,
  M2MError,
  parseAbsRelTimestamp,
  parseTimestamp,
  ResourceType,
  ResponseStatusCode,
  resourceAttributeTables,
} from '@m2msec/protocol';
import type { StoredResource } from '@m2msec/store';
import type { CseConfig } from '../config.js';
import type { RequestContext } from '../request-context.js';

/** Whether resources of this type carry expirationTime (its attribute table lists it). */
export function hasExpirationTime(ty: number): boolean {
  return resourceAttributeTables.get(ty)?.attributes.has('et') ?? false;
}

/** Stored form: same format as ct/lt (with a fraction) so stored times compare as strings. */
const stored = (d: Date) => formatTimestamp(d, { fraction: true });

function requested(value: unknown, now: Date): Date {
  const et = parseAbsRelTimestamp(value, now, 'expirationTime (et)');
  if (et.getTime() <= now.getTime())
    throw new M2MError(ResponseStatusCode.BAD_REQUEST, 'expirationTime (et) is in the past');
  return et;
}

/** The expirationTime a resource gets: the request's value (or the default) within the CSE's limits. */
export function configuredExpirationTime(
  config: CseConfig,
  parent: StoredResource | undefined,
  value: unknown,
  now: Date,
  extraLimit?: Date,
): string {
  let et =
    value === undefined || value === null
      ? new Date(now.getTime() + config.defaultExpirationSeconds * 1000)
      : requested(value, now);
  const limits = [new Date(now.getTime() + config.maxExpirationSeconds * 1000)];
  if (parent && typeof parent.et === 'string') limits.push(parseTimestamp(parent.et));
  if (extraLimit) limits.push(extraLimit);
  for (const l of limits) if (l.getTime() < et.getTime()) et = l;
  return stored(et);
}

/** CREATE: sets resource.et when the type has one; a <contentInstance> also lives at most maxInstanceAge. */
export function assignExpirationTime(
  config: CseConfig,
  parent: StoredResource,
  resource: StoredResource,
  value: unknown,
  now: Date,
): void {
  if (!hasExpirationTime(resource.ty)) return;
  // TS-0004 7.4.7.2.1 e): et - ct of a <contentInstance> shall not exceed the container's mia (seconds).
  const mia =
    resource.ty === ResourceType.contentInstance && typeof parent.mia === 'number'
      ? new Date(now.getTime() + parent.mia * 1000)
      : undefined;
  resource.et = configuredExpirationTime(config, parent, value, now, mia);
}

/** UPDATE: the new et (`changes.et` given or NULL), checked against the children's expirationTimes. */
export async function updateExpirationTime(
  config: CseConfig,
  ctx: RequestContext,
  current: StoredResource,
  changes: Record<string, unknown>,
): Promise<void> {
  if (!('et' in changes)) return;
  const parent = await ctx.store.resources.get(current.pi);
  const et = configuredExpirationTime(config, parent, changes.et, ctx.now);
  if (typeof current.et === 'string' && et < current.et) {
    const later = await ctx.store.resources.children(current.ri, { exa: et });
    const child = later.find((c) => typeof c.et === 'string' && c.et > et);
    if (child)
      throw new M2MError(
        ResponseStatusCode.BAD_REQUEST,
        `expirationTime (et) would be earlier than that of the child '${child.rn}' (TS-0004 7.3.3.4)`,
      );
  }
  changes.et = et;
}
