// Where each node of a scenario runs. With root and `ip netns`: a network namespace per node, each
// with its own address on a bridge private to this run, so a node's link can be cut (its veth
// down: packets vanish, senders time out) and restored. Otherwise: loopback ports, links through a
// LinkProxy that can black-hole. Everything created is removed by destroy(), also on a failed or
// interrupted run (exit and signal hooks).
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { LinkProxy } from './link-proxy.js';

export type TopologyMode = 'netns' | 'loopback';

interface NodeNet {
  name: string;
  ns?: string;
  hostVeth?: string;
  address: string;
}

function sh(args: string[], allowFail = false): string {
  const r = spawnSync(args[0]!, args.slice(1), { encoding: 'utf8' });
  if (r.status !== 0 && !allowFail) throw new Error(`${args.join(' ')} failed: ${r.stderr || r.error?.message}`);
  return r.stdout ?? '';
}

/** Whether this machine lets us build namespaces: root, iproute2, and a trial namespace works. */
export function netnsAvailable(): { ok: boolean; why: string } {
  if (process.env.M2MSEC_E2E_NETNS === '0') return { ok: false, why: 'disabled by M2MSEC_E2E_NETNS=0' };
  if (process.getuid?.() !== 0) return { ok: false, why: 'not running as root' };
  const probe = `m2msec-probe-${randomBytes(3).toString('hex')}`;
  const add = spawnSync('ip', ['netns', 'add', probe], { encoding: 'utf8' });
  if (add.status !== 0)
    return { ok: false, why: `ip netns add failed: ${(add.stderr || add.error?.message || '').trim()}` };
  spawnSync('ip', ['netns', 'del', probe]);
  return { ok: true, why: 'root with ip netns' };
}

export class Topology {
  readonly id = randomBytes(2).toString('hex');
  readonly mode: TopologyMode;
  readonly why: string;
  /** The test process's own address on the scenario network. */
  hostAddress = '127.0.0.1';
  private readonly nodes = new Map<string, NodeNet>();
  private readonly proxies: Array<{ from: string; to: string; proxy: LinkProxy }> = [];
  private bridge: string | undefined;
  private subnet = '';
  private destroyed = false;
  private readonly onExit = () => this.destroy();
  private readonly onSignal = (sig: NodeJS.Signals) => {
    this.destroy();
    process.kill(process.pid, sig);
  };

  constructor(mode?: TopologyMode) {
    const avail = netnsAvailable();
    this.mode = mode ?? (avail.ok ? 'netns' : 'loopback');
    this.why = this.mode === 'netns' ? avail.why : `loopback ports (${avail.ok ? 'requested' : avail.why})`;
    process.once('exit', this.onExit);
    process.once('SIGINT', this.onSignal);
    process.once('SIGTERM', this.onSignal);
    if (this.mode === 'netns') this.createBridge();
  }

  describe(): string {
    if (this.mode === 'loopback')
      return `loopback: every node on 127.0.0.1, links through black-holing relays (${this.why})`;
    const list = [...this.nodes.values()].map((n) => `${n.name}=${n.address}`).join(' ');
    return `network namespaces on bridge ${this.bridge} (${this.subnet}.0/24, host ${this.hostAddress}): ${list}`;
  }

  private createBridge(): void {
    const used = sh(['ip', '-4', '-o', 'addr']);
    for (let i = 0; ; i++) {
      const b = randomBytes(2);
      this.subnet = `10.${200 + (b[0]! % 50)}.${b[1]! % 250}`;
      if (!used.includes(`${this.subnet}.`)) break;
      if (i > 20) throw new Error('no free 10.x.y.0/24 subnet for the scenario bridge');
    }
    this.bridge = `m2b${this.id}`;
    sh(['ip', 'link', 'add', 'name', this.bridge, 'type', 'bridge']);
    this.hostAddress = `${this.subnet}.1`;
    sh(['ip', 'addr', 'add', `${this.hostAddress}/24`, 'dev', this.bridge]);
    sh(['ip', 'link', 'set', this.bridge, 'up']);
  }

  /** Adds a node (its namespace and address in netns mode). */
  addNode(name: string): string {
    if (this.nodes.has(name)) return this.nodes.get(name)!.address;
    if (this.mode === 'loopback') {
      this.nodes.set(name, { name, address: '127.0.0.1' });
      return '127.0.0.1';
    }
    const n = this.nodes.size + 1;
    const ns = `m2msec-${this.id}-${name}`;
    const hostVeth = `m2${this.id}${n}h`;
    const nsVeth = `m2${this.id}${n}n`;
    const address = `${this.subnet}.${10 + n}`;
    sh(['ip', 'netns', 'add', ns]);
    this.nodes.set(name, { name, ns, hostVeth, address });
    sh(['ip', 'link', 'add', hostVeth, 'type', 'veth', 'peer', 'name', nsVeth, 'netns', ns]);
    sh(['ip', 'link', 'set', hostVeth, 'master', this.bridge!, 'up']);
    sh(['ip', '-n', ns, 'addr', 'add', `${address}/24`, 'dev', nsVeth]);
    sh(['ip', '-n', ns, 'link', 'set', nsVeth, 'up']);
    sh(['ip', '-n', ns, 'link', 'set', 'lo', 'up']);
    return address;
  }

  addressOf(name: string): string {
    const n = this.nodes.get(name);
    if (!n) throw new Error(`unknown node ${name}`);
    return n.address;
  }

  /** The command that runs `cmd args` inside the node. */
  command(name: string, cmd: string, args: string[]): [string, string[]] {
    const n = this.nodes.get(name);
    if (!n) throw new Error(`unknown node ${name}`);
    return n.ns ? ['ip', ['netns', 'exec', n.ns, cmd, ...args]] : [cmd, args];
  }

  /** host:port at which `from` reaches `to`'s `port` (a cuttable relay in loopback mode). */
  async endpoint(from: string, to: string, port: number): Promise<string> {
    if (this.mode === 'netns') return `${this.addressOf(to)}:${port}`;
    const proxy = new LinkProxy('127.0.0.1', port);
    await proxy.start();
    this.proxies.push({ from, to, proxy });
    return `127.0.0.1:${proxy.port}`;
  }

  /** Cuts every link of a node: its veth goes down (netns) or its relays black-hole (loopback). */
  cut(name: string): void {
    const n = this.nodes.get(name)!;
    if (n.hostVeth) sh(['ip', 'link', 'set', n.hostVeth, 'down']);
    for (const p of this.proxies) if (p.from === name || p.to === name) p.proxy.cut();
  }

  restore(name: string): void {
    const n = this.nodes.get(name)!;
    if (n.hostVeth) sh(['ip', 'link', 'set', n.hostVeth, 'up']);
    for (const p of this.proxies) if (p.from === name || p.to === name) p.proxy.restore();
  }

  /** Removes namespaces, veths and the bridge; idempotent and synchronous (safe in exit hooks). */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    for (const p of this.proxies) p.proxy.close();
    for (const n of this.nodes.values()) {
      if (!n.ns) continue;
      // Processes left in the namespace would keep it alive: kill them first.
      const pids = sh(['ip', 'netns', 'pids', n.ns], true).split(/\s+/).filter(Boolean);
      for (const pid of pids) spawnSync('kill', ['-9', pid]);
      sh(['ip', 'netns', 'del', n.ns], true);
      if (n.hostVeth) sh(['ip', 'link', 'del', n.hostVeth], true);
    }
    if (this.bridge) sh(['ip', 'link', 'del', this.bridge], true);
    process.off('exit', this.onExit);
    process.off('SIGINT', this.onSignal);
    process.off('SIGTERM', this.onSignal);
  }
}
