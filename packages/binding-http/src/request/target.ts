// TS-0009 6.2.2.1: the path component of the Request-Target <-> the To parameter.
//   CSE-relative 'cse-in/ae1'        <-> '/cse-in/ae1'
//   SP-relative  '/id-in/cse-in'     <-> '/~/id-in/cse-in'
//   absolute     '//sp/id-in/cse-in' <-> '/_/sp/id-in/cse-in'
import { badRequest, show } from '../lib/errors.js';

function decodeSegment(segment: string, path: string): string {
  let decoded: string;
  try {
    decoded = decodeURIComponent(segment);
  } catch {
    return badRequest(`request target ${show(path)} has malformed percent-encoding`);
  }
  // An encoded '/' would silently change the ID structure after decoding.
  if (decoded.includes('/')) badRequest(`request target ${show(path)} has an encoded '/' inside a segment`);
  return decoded;
}

/** The To parameter for the path of a request (relative to where the binding is mounted). */
export function toFromPath(path: string): string {
  if (!path.startsWith('/')) badRequest(`request target ${show(path)} is not in origin-form`);
  const segments = path.slice(1).split('/');
  // Table 6.2.2.1-1 shows a trailing '/' on a structured ID: it is not part of To.
  if (segments.length > 1 && segments[segments.length - 1] === '') segments.pop();
  const decoded = segments.map((s) => decodeSegment(s, path));
  const [first, ...rest] = decoded;
  let to: string;
  if (first === '~') to = `/${rest.join('/')}`;
  else if (first === '_') to = `//${rest.join('/')}`;
  else to = decoded.join('/');
  if (to === '' || to === '/' || to === '//') badRequest(`request target ${show(path)} addresses no resource`);
  return to;
}

/** The origin-form path for a To parameter (the originator side of 6.2.2.1), segments percent-encoded. */
export function pathForTo(to: string): string {
  if (to === '') throw new TypeError('pathForTo: empty To');
  const encode = (s: string) => s.split('/').map(encodeURIComponent).join('/');
  if (to.startsWith('//')) return `/_/${encode(to.slice(2))}`;
  if (to.startsWith('/')) return `/~/${encode(to.slice(1))}`;
  return `/${encode(to)}`;
}
