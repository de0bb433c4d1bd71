// Strict parser for the Digest credentials / challenge of RFC 2617 section 3.2 (RFC 7235 auth-param grammar):
//   Digest auth-param *( "," auth-param ), auth-param = token "=" ( token / quoted-string ).
// Anything else (another scheme, a repeated parameter, stray bytes) is refused, never guessed at.
import { GbaError } from '../lib/errors.js';

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+/;
const MAX_HEADER = 8192;

export function parseDigestHeader(header: string, what: string): Map<string, string> {
  if (header.length > MAX_HEADER) throw malformed(what, `longer than ${MAX_HEADER} characters`);
  const scheme = /^Digest(?:[ \t]+|$)/i.exec(header);
  if (!scheme) throw malformed(what, 'scheme must be Digest');
  const params = new Map<string, string>();
  let rest = header.slice(scheme[0].length);
  while (rest.length > 0) {
    const name = TOKEN.exec(rest);
    if (!name) throw malformed(what, 'expected a parameter name');
    rest = rest.slice(name[0].length).replace(/^[ \t]*/, '');
    if (rest[0] !== '=') throw malformed(what, `parameter ${name[0]} has no value`);
    rest = rest.slice(1).replace(/^[ \t]*/, '');
    let value: string;
    if (rest[0] === '"') {
      let i = 1;
      value = '';
      for (; i < rest.length && rest[i] !== '"'; i++) {
        if (rest[i] === '\\') i++;
        if (i >= rest.length) break;
        const c = rest.charCodeAt(i);
        if (c < 0x20 && c !== 0x09) throw malformed(what, `parameter ${name[0]} has a control character`);
        value += rest[i];
      }
      if (rest[i] !== '"') throw malformed(what, `parameter ${name[0]} has an unterminated quoted string`);
      rest = rest.slice(i + 1);
    } else {
      const token = TOKEN.exec(rest);
      if (!token) throw malformed(what, `parameter ${name[0]} has an invalid value`);
      value = token[0];
      rest = rest.slice(token[0].length);
    }
    const key = name[0].toLowerCase();
    if (params.has(key)) throw malformed(what, `parameter ${key} appears twice`);
    params.set(key, value);
    rest = rest.replace(/^[ \t]*/, '');
    if (rest.length === 0) break;
    if (rest[0] !== ',') throw malformed(what, `unexpected characters after parameter ${key}`);
    rest = rest.slice(1).replace(/^[ \t]*/, '');
    if (rest.length === 0) throw malformed(what, 'trailing comma');
  }
  return params;
}

/** A quoted-string for a header we write (RFC 7230 3.2.6): escapes backslash and quote. */
export function quote(value: string): string {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09) || c === 0x7f) {
      throw new GbaError(400, 'ERR_MALFORMED', 'a Digest parameter value contains a control character');
    }
  }
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

function malformed(what: string, why: string): GbaError {
  return new GbaError(400, 'ERR_MALFORMED', `${what}: ${why}`);
}
