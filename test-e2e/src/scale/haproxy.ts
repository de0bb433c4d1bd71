// HAProxy from Debian in front of replicas: TCP mode, so TLS passes through to the replica and the
// security association is made with it (the SAEFs need the replica's own handshake: PSK identities,
// exporter keys). Connect checks every 200 ms take a dead replica out; a connection that cannot be
// made is redispatched to another one.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@m2msec/test-support';

export interface Balancer {
  port: number;
  stop(): Promise<void>;
}

export function haproxyAvailable(): boolean {
  return spawnSync('haproxy', ['-v'], { encoding: 'utf8' }).status === 0;
}

export interface BalancerOptions {
  /** Extra backend lines (e.g. a tcp-check script); the servers are checked with them. */
  backend?: string[];
  /** Appended to every server line after `check`. Default: `inter 200ms fall 1 rise 2`. */
  server?: string;
}

export async function startHaproxy(backends: number[], o: BalancerOptions = {}): Promise<Balancer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'm2msec-haproxy-'));
  const cfg = join(dir, 'haproxy.cfg');
  writeFileSync(
    cfg,
    [
      'global',
      '  maxconn 4096',
      'defaults',
      '  mode tcp',
      '  timeout connect 2s',
      '  timeout client 60s',
      '  timeout server 60s',
      '  timeout check 2s',
      '  retries 3',
      '  option redispatch',
      'frontend saef',
      `  bind 127.0.0.1:${port}`,
      '  default_backend replicas',
      'backend replicas',
      '  balance roundrobin',
      ...(o.backend ?? []),
      ...backends.map((p, i) => `  server r${i + 1} 127.0.0.1:${p} check ${o.server ?? 'inter 200ms fall 1 rise 2'}`),
      '',
    ].join('\n'),
  );
  const child: ChildProcess = spawn('haproxy', ['-db', '-f', cfg], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const deadline = Date.now() + 10_000;
  while (!(await accepts(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`haproxy did not start: ${out}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    port,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1', () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });
}
