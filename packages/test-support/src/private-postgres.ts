// A PostgreSQL cluster of the test's own (initdb + pg_ctl on a free loopback port), so a test can stop
// the database under a running program without touching the machine's server. As root, the cluster
// runs as the 'postgres' user (PostgreSQL refuses to run as root).
import { execFileSync } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './in-cse-process.js';

export interface PrivatePostgres {
  url: string;
  port: number;
  start(): void;
  stop(): void;
  /** Stops the server and removes its data directory. */
  destroy(): void;
}

function pgBin(name: string): string {
  try {
    const dir = execFileSync('pg_config', ['--bindir'], { encoding: 'utf8' }).trim();
    return join(dir, name);
  } catch {
    return name;
  }
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const root = mkdtempSync(join(tmpdir(), 'm2msec-pg-'));
  const data = join(root, 'data');
  const port = await freePort();
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(root, uid, gid);
  }
  const run = (bin: string, args: string[]) => {
    const [cmd, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', pgBin(bin), ...args]] : [pgBin(bin), args];
    execFileSync(cmd as string, argv as string[], { stdio: 'pipe', timeout: 60_000 });
  };
  run('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync']);
  const opts = `-p ${port} -k ${root} -c listen_addresses=127.0.0.1 -c fsync=off`;
  let running = false;
  const pg: PrivatePostgres = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    start() {
      run('pg_ctl', ['-D', data, '-o', opts, '-l', join(root, 'log'), '-w', '-t', '30', 'start']);
      running = true;
    },
    stop() {
      if (!running) return;
      run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', '-t', '30', 'stop']);
      running = false;
    },
    destroy() {
      try {
        pg.stop();
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    },
  };
  pg.start();
  return pg;
}
