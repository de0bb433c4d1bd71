// TS-0009 6.4.3: the JSON media types this binding reads, and the ty parameter of a CREATE.
import { badRequest, show, unsupportedMediaType } from '../lib/errors.js';
import { parseInteger } from '../lib/numbers.js';

/** JSON serialisations: plain and the oneM2M media types of TS-0004 6.7 (resource, notification). */
export const jsonMediaTypes: ReadonlySet<string> = new Set([
  'application/json',
  'application/vnd.onem2m-res+json',
  'application/vnd.onem2m-ntfy+json',
]);

export interface ParsedContentType {
  mediaType: string;
  /** Resource Type of a CREATE (`;ty=N`), absent for NOTIFY and other requests. */
  ty?: number;
}

/** Parses `application/json;ty=2` style headers; a non-JSON type -> 4015, a bad parameter -> 4000. */
export function parseContentType(header: string): ParsedContentType {
  const [type = '', ...params] = header.split(';');
  const mediaType = type.trim().toLowerCase();
  if (!jsonMediaTypes.has(mediaType)) {
    unsupportedMediaType(
      `Content-Type ${show(mediaType)} is not supported (use application/json or application/vnd.onem2m-res+json)`,
    );
  }
  const result: ParsedContentType = { mediaType };
  const seen = new Set<string>();
  for (const param of params) {
    if (param.trim() === '') continue;
    const eq = param.indexOf('=');
    if (eq < 0) badRequest(`Content-Type parameter ${show(param.trim())} has no value`);
    const name = param.slice(0, eq).trim().toLowerCase();
    const value = param
      .slice(eq + 1)
      .trim()
      .replace(/^"(.*)"$/, '$1');
    if (seen.has(name)) badRequest(`Content-Type parameter '${name}' given more than once`);
    seen.add(name);
    if (name === 'ty') result.ty = parseInteger(value, 'Content-Type parameter ty');
    else if (name === 'charset') {
      if (value.toLowerCase() !== 'utf-8') unsupportedMediaType(`charset ${show(value)} is not supported (use utf-8)`);
    }
    // Other media-type parameters carry nothing for the primitive (6.4.0: ignore what is not recognised).
  }
  return result;
}
