import type { StoredResource } from '@m2msec/store';

/** How a resource is named in messages: its AE-ID / CSE-ID when it has one, else its structured name. */
export function resourceName(r: StoredResource): string {
  return (r.aei as string) ?? (r.csi as string) ?? r.srn;
}
