// Which addresses the CSE may send notifications and verification requests to (TS-0004 7.4.8.2.1,
// 7.5.1.2.x leave the choice of reachable targets to the Hosting CSE). A subscriber names the nu, or an AE
// its poa: without a policy the CSE becomes a request forger reaching what only it can reach (cloud
// metadata at 169.254.169.254, admin ports on loopback, the private network) and, through distinct error
// texts, a port scanner. The policy (docs/hardening.md, "Notification target policy"):
//   - http(s) targets are resolved first and the connection goes to the address that was checked (no DNS
//     rebinding between the check and the connect);
//   - loopback, link-local (metadata), private, shared (CGNAT), unspecified, multicast and reserved ranges are
//     refused unless `allowTargets` names them (CIDR, host, or host:port);
//   - every refusal and every failure to deliver reads the same to the subscriber;
//   - at most `maxConcurrentPerTarget` requests run per target address and `maxQueuedPerTarget` wait; more
//     are refused (a slow or hostile target cannot pile up the CSE's sockets and memory).
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { M2MError, ResponseStatusCode } from '@m2msec/protocol';

export interface NotificationTargetPolicyConfig {
  /** Exceptions to the refused ranges: 'CIDR', 'address', 'host', each optionally ':port' ('[v6]:port'). */
  allowTargets?: readonly string[];
  /** Requests in flight per target address and port (default 4). */
  maxConcurrentPerTarget?: number;
  /** Requests waiting per target beyond those in flight (default 64); more are refused. */
  maxQueuedPerTarget?: number;
  /** Host name resolution (programmatic only; default the system resolver). */
  resolver?: TargetResolver;
}

/** Resolves a host name to its addresses (injectable for tests; default: the system resolver). */
export type TargetResolver = (host: string) => Promise<Array<{ address: string; family: number }>>;

/** The single text a subscriber sees for any refused or undeliverable target. */
export const TARGET_NOT_REACHABLE_TEXT = 'notification target is not reachable';

export function targetNotReachable(): M2MError {
  return new M2MError(ResponseStatusCode.TARGET_NOT_REACHABLE, TARGET_NOT_REACHABLE_TEXT);
}

/** Why a target was refused: for the server's log only, never for the subscriber. */
export class TargetRefused extends M2MError {
  constructor(readonly reason: string) {
    super(ResponseStatusCode.TARGET_NOT_REACHABLE, TARGET_NOT_REACHABLE_TEXT);
  }
}

// Ranges a notification never goes to unless allowed (RFC 6890 special-purpose registries).
const refused = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], // "this network", unspecified
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // shared address space (CGNAT; some clouds' metadata)
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local (cloud metadata 169.254.169.254)
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments (some clouds' metadata)
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const) {
  refused.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128], // unspecified
  ['::1', 128], // loopback
  ['fe80::', 10], // link-local
  ['fc00::', 7], // unique local (AWS metadata fd00:ec2::254)
  ['ff00::', 8], // multicast
  ['100::', 64], // discard-only
] as const) {
  refused.addSubnet(net, prefix, 'ipv6');
}

/** The IPv4 address inside an IPv4-mapped or NAT64 IPv6 address, else undefined. */
function embeddedIpv4(v6: string): string | undefined {
  const m = /^(?:::ffff:|64:ff9b::)(\d+\.\d+\.\d+\.\d+)$/i.exec(v6);
  if (m) return m[1];
  const h = /^(?:::ffff:|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(v6);
  if (!h) return undefined;
  const hi = Number.parseInt(h[1]!, 16);
  const lo = Number.parseInt(h[2]!, 16);
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}

interface AllowEntry {
  /** Addresses (CIDR) or a host name. */
  subnet?: BlockList;
  host?: string;
  port?: number;
}

function parseAllowEntry(entry: string): AllowEntry {
  let rest = entry.trim();
  let port: number | undefined;
  const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(rest);
  if (bracket) {
    rest = bracket[1]!;
    if (bracket[2]) port = Number(bracket[2]);
  } else if (isIP(rest.split('/')[0]!) !== 6) {
    const c = rest.lastIndexOf(':');
    if (c > 0 && /^\d+$/.test(rest.slice(c + 1))) {
      port = Number(rest.slice(c + 1));
      rest = rest.slice(0, c);
    }
  }
  if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536)) {
    throw new Error(`notifications.allowTargets entry '${entry}' has a bad port`);
  }
  const [addr, len] = rest.split('/');
  const family = isIP(addr!);
  if (family === 0) {
    if (len !== undefined || !/^[A-Za-z0-9.-]{1,253}$/.test(rest)) {
      throw new Error(`notifications.allowTargets entry '${entry}' is not a CIDR, address or host[:port]`);
    }
    return { host: rest.toLowerCase(), ...(port !== undefined ? { port } : {}) };
  }
  const max = family === 4 ? 32 : 128;
  const prefix = len === undefined ? max : Number(len);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > max) {
    throw new Error(`notifications.allowTargets entry '${entry}' has a bad prefix length`);
  }
  const subnet = new BlockList();
  subnet.addSubnet(addr!, prefix, family === 4 ? 'ipv4' : 'ipv6');
  return { subnet, ...(port !== undefined ? { port } : {}) };
}

const systemResolver: TargetResolver = (host) => lookup(host, { all: true, verbatim: true });

export interface AdmittedTarget {
  /** The checked address to connect to (the URL's host stays in Host / SNI). */
  connectAddress: string;
  /** Key of the per-target concurrency limit: address and port. */
  key: string;
}

interface Gate {
  running: number;
  waiting: Array<() => void>;
}

export class NotificationTargetPolicy {
  readonly #allow: AllowEntry[];
  readonly #resolve: TargetResolver;
  readonly #maxConcurrent: number;
  readonly #maxQueued: number;
  readonly #gates = new Map<string, Gate>();

  constructor(config: NotificationTargetPolicyConfig = {}) {
    this.#allow = (config.allowTargets ?? []).map(parseAllowEntry);
    this.#resolve = config.resolver ?? systemResolver;
    this.#maxConcurrent = config.maxConcurrentPerTarget ?? 4;
    this.#maxQueued = config.maxQueuedPerTarget ?? 64;
    if (!Number.isInteger(this.#maxConcurrent) || this.#maxConcurrent < 1) {
      throw new Error('notifications.maxConcurrentPerTarget must be an integer >= 1');
    }
    if (!Number.isInteger(this.#maxQueued) || this.#maxQueued < 0) {
      throw new Error('notifications.maxQueuedPerTarget must be an integer >= 0');
    }
  }

  /** True when `address` (an IP literal) on `port` may be a target, with `host` the URL's host name if any. */
  isPermitted(address: string, port: number, host?: string): boolean {
    for (const a of this.#allow) {
      if (a.port !== undefined && a.port !== port) continue;
      if (a.host !== undefined && host !== undefined && a.host === host.toLowerCase()) return true;
      if (a.subnet && this.#inSubnet(a.subnet, address)) return true;
    }
    return !this.#isRefusedRange(address);
  }

  #inSubnet(list: BlockList, address: string): boolean {
    const family = isIP(address);
    if (family === 4) return list.check(address, 'ipv4');
    const v4 = embeddedIpv4(address);
    return list.check(address, 'ipv6') || (v4 !== undefined && list.check(v4, 'ipv4'));
  }

  #isRefusedRange(address: string): boolean {
    const family = isIP(address);
    if (family === 4) return refused.check(address, 'ipv4');
    if (family !== 6) return true;
    const v4 = embeddedIpv4(address);
    if (v4 !== undefined) return refused.check(v4, 'ipv4');
    return refused.check(address, 'ipv6');
  }

  /**
   * Decides on an http(s) point of access before anything is sent: resolves its host, keeps the first
   * permitted address, or throws TargetRefused. Other schemes (mqtt: the binding talks to its configured
   * broker, not to the named host) are not network targets of this CSE and pass unchanged (undefined).
   */
  async admit(poa: string): Promise<AdmittedTarget | undefined> {
    let url: URL;
    try {
      url = new URL(poa);
    } catch {
      throw new TargetRefused('point of access is not a URL');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    const port = url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port);
    let candidates: string[];
    if (isIP(host) !== 0) candidates = [host];
    else {
      try {
        candidates = (await this.#resolve(host)).map((a) => a.address);
      } catch {
        throw new TargetRefused(`host ${host} does not resolve`);
      }
    }
    const chosen = candidates.find((a) => this.isPermitted(a, port, isIP(host) === 0 ? host : undefined));
    if (chosen === undefined) throw new TargetRefused(`${host}:${port} is in a refused address range`);
    return { connectAddress: chosen, key: `${chosen}|${port}` };
  }

  /** Notification requests waiting for a free per-target slot now (the operations metric reads it). */
  get queued(): number {
    let n = 0;
    for (const g of this.#gates.values()) n += g.waiting.length;
    return n;
  }

  /** Runs `send` within the target's concurrency limit; refuses (TargetRefused) when its queue is full. */
  async run<T>(key: string, send: () => Promise<T>): Promise<T> {
    let gate = this.#gates.get(key);
    if (!gate) {
      gate = { running: 0, waiting: [] };
      this.#gates.set(key, gate);
    }
    const g = gate;
    if (g.running >= this.#maxConcurrent) {
      if (g.waiting.length >= this.#maxQueued) throw new TargetRefused('too many requests queued for this target');
      await new Promise<void>((resume) => g.waiting.push(resume));
    } else g.running++;
    try {
      return await send();
    } finally {
      const next = g.waiting.shift();
      if (next)
        next(); // the slot passes to the next waiter
      else if (--g.running === 0) this.#gates.delete(key);
    }
  }
}
