// accessControlIpAddresses (TS-0003 7.1.3, TS-0004 6.3.2 m2m:ipv4 / m2m:ipv6): addresses with an
// optional CIDR prefix (RFC 4632, RFC 5952), matched against rq_ip, the transport's peer address.
// Parsing uses ipaddr.js; matching compares 32-bit words under a mask, so a request costs no parsing.
import ipaddr from 'ipaddr.js';
import { AccessControlRuleError, clip } from '../errors.js';
import type { RequestIp } from '../types.js';

export type IpMatcher = (ip: RequestIp) => boolean;

interface Block {
  words: Uint32Array; // network, masked
  masks: Uint32Array;
}

function maskWords(prefix: number, n: number): Uint32Array {
  const masks = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const bits = Math.max(0, Math.min(32, prefix - 32 * i));
    masks[i] = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  }
  return masks;
}

function wordsOf(bytes: number[]): Uint32Array {
  const w = new Uint32Array(bytes.length / 4);
  for (let i = 0; i < w.length; i++)
    w[i] = ((bytes[4 * i]! << 24) | (bytes[4 * i + 1]! << 16) | (bytes[4 * i + 2]! << 8) | bytes[4 * i + 3]!) >>> 0;
  return w;
}

function block(entry: unknown, family: 4 | 6, path: string): Block {
  const fail = (why: string): never => {
    throw new AccessControlRuleError(path, `'${clip(entry)}' ${why}`);
  };
  if (typeof entry !== 'string') fail(`must be an m2m:ipv${family} string`);
  const [address, prefixText, extra] = (entry as string).split('/');
  if (extra !== undefined) fail('has more than one prefix');
  const max = family === 4 ? 32 : 128;
  let prefix = max;
  if (prefixText !== undefined) {
    if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > max) fail(`has a prefix length outside 0-${max}`);
    prefix = Number(prefixText);
  }
  let bytes: number[];
  if (family === 4) {
    // Dotted-decimal only (RFC 4632): ipaddr.isValid would also take '0x7f.1' and '127.1'.
    if (!ipaddr.IPv4.isValidFourPartDecimal(address!)) fail('is not a dotted-decimal IPv4 address');
    bytes = ipaddr.IPv4.parse(address!).toByteArray();
  } else {
    if (address!.includes('%') || !ipaddr.IPv6.isValid(address!)) fail('is not an IPv6 address');
    bytes = ipaddr.IPv6.parse(address!).toByteArray();
  }
  const masks = maskWords(prefix, family === 4 ? 1 : 4);
  const words = wordsOf(bytes);
  for (let i = 0; i < words.length; i++) words[i] = (words[i]! & masks[i]!) >>> 0;
  return { words, masks };
}

/** Compiles acip {ipv4, ipv6}: rq_ip matches if it lies in any listed block of its family. */
export function compileIpAddresses(acip: unknown, path: string): IpMatcher {
  if (typeof acip !== 'object' || acip === null || Array.isArray(acip))
    throw new AccessControlRuleError(path, 'must be an object {ipv4?, ipv6?}');
  const { ipv4, ipv6, ...rest } = acip as { ipv4?: unknown; ipv6?: unknown };
  const unknown = Object.keys(rest);
  if (unknown.length > 0) throw new AccessControlRuleError(path, `has unknown element '${clip(unknown[0])}'`);
  if (ipv4 === undefined && ipv6 === undefined)
    throw new AccessControlRuleError(path, 'must contain ipv4 and/or ipv6 (TS-0004 6.3.5.27)');
  const list = (v: unknown, name: string): unknown[] => {
    if (v === undefined) return [];
    if (!Array.isArray(v)) throw new AccessControlRuleError(`${path}.${name}`, 'must be a list of addresses');
    return v;
  };
  const v4 = list(ipv4, 'ipv4').map((e, i) => block(e, 4, `${path}.ipv4[${i}]`));
  const v6 = list(ipv6, 'ipv6').map((e, i) => block(e, 6, `${path}.ipv6[${i}]`));
  const v4net = Uint32Array.from(v4, (b) => b.words[0]!);
  const v4mask = Uint32Array.from(v4, (b) => b.masks[0]!);
  return (ip) => {
    if (ip.family === 4) {
      const a = ip.v4;
      for (let i = 0; i < v4net.length; i++) if ((a & v4mask[i]!) >>> 0 === v4net[i]) return true;
      return false;
    }
    const w = ip.v6;
    outer: for (const b of v6) {
      for (let i = 0; i < 4; i++) if ((w[i]! & b.masks[i]!) >>> 0 !== b.words[i]) continue outer;
      return true;
    }
    return false;
  };
}

/** A dotted-decimal IPv4 address as a 32-bit word (the per-request fast path); undefined otherwise. */
function dottedDecimal(s: string): number | undefined {
  let word = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || dots === 3) return undefined;
      word = word * 256 + octet;
      octet = 0;
      digits = 0;
      dots++;
    } else if (c >= 48 && c <= 57) {
      if (digits > 0 && octet === 0) return undefined; // leading zero: octal in some parsers
      octet = octet * 10 + (c - 48);
      if (++digits > 3 || octet > 255) return undefined;
    } else return undefined;
  }
  if (dots !== 3 || digits === 0) return undefined;
  return word * 256 + octet;
}

/**
 * Parses a transport peer address into rq_ip; an IPv4-mapped IPv6 address (::ffff:a.b.c.d, RFC 4291
 * 2.5.5.2, what a dual-stack socket reports) is the IPv4 address. Undefined when it is not an IP address.
 */
export function parseRequestIp(address: string | undefined): RequestIp | undefined {
  if (address === undefined) return undefined;
  const v4 = dottedDecimal(address);
  if (v4 !== undefined) return { family: 4, v4 };
  const bare = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  if (!ipaddr.IPv6.isValid(bare)) return undefined;
  const v6 = ipaddr.IPv6.parse(bare);
  if (v6.isIPv4MappedAddress()) return { family: 4, v4: wordsOf(v6.toIPv4Address().toByteArray())[0]! };
  return { family: 6, v6: wordsOf(v6.toByteArray()) };
}
