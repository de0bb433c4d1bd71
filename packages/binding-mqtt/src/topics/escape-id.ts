// IDs in topic levels (TS-0010 6.4.2 / 6.4.4): SP-relative IDs drop the leading '/', absolute IDs
// turn the leading '//' into ':', and every other '/' becomes ':'.
import { badRequest, show } from '../lib/errors.js';

// A topic level cannot hold '/', and '+' / '#' are filter wildcards; NUL is forbidden by MQTT 4.7.3.
const LEVEL = /^[^/+#\0]+$/;

/** True when `level` can be one level of a topic name. */
export function isTopicLevel(level: string): boolean {
  return LEVEL.test(level);
}

/**
 * Topic form of an AE-ID, CSE-ID or Credential-ID: '/id-in' -> 'id-in', '/id-in/Cae1' -> 'id-in:Cae1',
 * '//sp.example/id-in' -> ':sp.example:id-in', 'Cae1' (an AE-ID-Stem) unchanged.
 */
export function escapeId(id: string): string {
  let level: string;
  if (id.startsWith('//')) level = `:${id.slice(2).replaceAll('/', ':')}`;
  else if (id.startsWith('/')) level = id.slice(1).replaceAll('/', ':');
  else level = id.replaceAll('/', ':');
  if (!isTopicLevel(level)) badRequest(`ID ${show(id)} cannot be a topic level (TS-0010 6.4.2)`);
  return level;
}

/**
 * The ID an originator / receiver level stands for: ':sp:id-in' -> '//sp/id-in', 'id-in:Cae1' ->
 * '/id-in/Cae1', 'id-in' -> '/id-in', 'Sae1' -> '/Sae1'. A bare C-stem 'Cae1' stays CSE-relative
 * (TS-0010 7.4 writes topics with <AE-ID-Stem>): the receiving CSE reads it as its own registree.
 */
export function unescapeId(level: string): string {
  if (!isTopicLevel(level)) badRequest(`topic level ${show(level)} is not an ID`);
  if (level.startsWith(':')) return `//${level.slice(1).replaceAll(':', '/')}`;
  if (level.includes(':')) return `/${level.replaceAll(':', '/')}`;
  if (level.startsWith('C')) return level;
  return `/${level}`;
}

/** A Credential-ID from a reg_req / reg_resp level (TS-0010 6.4.4): ':' back to '/'. */
export function unescapeCredentialId(level: string): string {
  if (!isTopicLevel(level)) badRequest(`topic level ${show(level)} is not a Credential-ID`);
  return level.replaceAll(':', '/');
}
