// TS-0008 6.2.2.3 (Table 6.2.2.3-1): Uri-Path options <-> the To parameter. A first segment '~' marks
// SP-relative, '_' absolute; otherwise the segments are a CSE-relative ID. CoAP carries segments
// unencoded, so a '/' inside one is refused (it would change the ID structure).
import { badRequest, show } from '../lib/errors.js';

export function toFromUriPath(segments: readonly string[]): string {
  for (const s of segments) if (s.includes('/')) badRequest(`Uri-Path segment ${show(s)} contains '/'`);
  const [first, ...rest] = segments;
  let to: string;
  if (first === '~') to = `/${rest.join('/')}`;
  else if (first === '_') to = `//${rest.join('/')}`;
  else to = segments.join('/');
  if (to === '' || to === '/' || to === '//' || segments.some((s) => s === ''))
    badRequest('Uri-Path addresses no resource (To parameter missing or empty segment)');
  return to;
}

/** The Uri-Path segments for a To parameter (the originator side of 6.2.2.3). */
export function uriPathForTo(to: string): string[] {
  if (to.startsWith('//')) return ['_', ...to.slice(2).split('/')];
  if (to.startsWith('/')) return ['~', ...to.slice(1).split('/')];
  return to.split('/');
}
