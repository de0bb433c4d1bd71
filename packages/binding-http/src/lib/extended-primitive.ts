import type { RequestPrimitive } from '@m2msec/protocol';

/**
 * Request primitive parameters TS-0009 carries that @m2msec/protocol's RequestPrimitive does not
 * declare yet: Result Persistence (query rp, 6.2.2.2) and Group Request Identifier (X-M2M-GID, 6.4.10).
 * They travel as extra fields so the CSE can see them; the binding does not interpret them.
 */
export interface HttpRequestPrimitive extends RequestPrimitive {
  rp?: string;
  gid?: string;
}
