// A PostgreSQL primary with a synchronous standby managed by pg_auto_failover (Debian's
// postgresql-15-auto-failover and pg-auto-failover-cli): a monitor and two keeper-managed nodes, each its
// own process group on a free loopback port, plus HAProxy in front that sends connections to whichever
// node is the primary. The programs know one address, the balancer's; no client of ours speaks a cluster
// protocol. As root, everything of PostgreSQL runs as the 'postgres' user (it refuses root).
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { chownSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@m2msec/test-support';
import pg from 'pg';
import { type Balancer, startHaproxy } from './haproxy.js';

export interface FailoverCluster {
  /** postgres:// URL of the balancer in front of the current primary. */
  url: string;
  /** Direct URLs of node 1 (the first primary) and node 2 (its standby). */
  nodes: [string, string];
  /** SIGKILL to node 1's keeper and its PostgreSQL (the whole process group). */
  killPrimary(): void;
  /** Resolves when node 2 accepts writes (promoted), with the time it did. */
  waitPromoted(timeoutMs: number): Promise<number>;
  stop(): Promise<void>;
}

export function autoFailoverAvailable(): string | undefined {
  if (spawnSync('pg_autoctl', ['--version'], { encoding: 'utf8' }).status !== 0) {
    return 'pg_autoctl is not installed (Debian packages pg-auto-failover-cli and postgresql-15-auto-failover)';
  }
  return undefined;
}

const bindir = () => execFileSync('pg_config', ['--bindir'], { encoding: 'utf8' }).trim();
const hex = (s: string) => Buffer.from(s, 'latin1').toString('hex');
const be32 = (n: number) => n.toString(16).padStart(8, '0');

/** 'f' only on a node that takes writes: pg_auto_failover keeps a promoted standby read-only until the old
 *  primary's demotion timeout has passed (its protection against two primaries). */
const WRITABLE_SQL = "select pg_is_in_recovery() or current_setting('transaction_read_only')::bool";

/**
 * HAProxy's check for "this node is the primary" in the PostgreSQL wire protocol (trust auth on loopback):
 * a StartupMessage, the query WRITABLE_SQL, and the DataRow that carries 'f'.
 */
function primaryCheck(): string[] {
  const params = `${hex('user')}00${hex('postgres')}00${hex('database')}00${hex('postgres')}0000`;
  const startup = `${be32(8 + params.length / 2)}00030000${params}`;
  const sql = `${hex(WRITABLE_SQL)}00`;
  const query = `51${be32(4 + sql.length / 2)}${sql}`;
  return [
    'option tcp-check',
    'tcp-check connect',
    `tcp-check send-binary ${startup}`,
    `tcp-check send-binary ${query}`,
    // DataRow: 'D', length 11, one column, length 1, 'f'.
    'tcp-check expect binary 440000000b00010000000166',
    'tcp-check send-binary 5800000004',
  ].map((l) => `  ${l}`);
}

export async function startFailoverCluster(): Promise<FailoverCluster> {
  const root = mkdtempSync(join(tmpdir(), 'm2msec-paf-'));
  const asRoot = process.getuid?.() === 0;
  const owner = asRoot
    ? {
        uid: Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim()),
        gid: Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim()),
      }
    : undefined;
  for (const d of ['', 'cfg', 'share', 'run']) {
    mkdirSync(join(root, d), { recursive: true });
    if (owner) chownSync(join(root, d), owner.uid, owner.gid);
  }
  const env = {
    PATH: `${bindir()}:${process.env.PATH}`,
    XDG_CONFIG_HOME: join(root, 'cfg'),
    XDG_DATA_HOME: join(root, 'share'),
    XDG_RUNTIME_DIR: join(root, 'run'),
    PG_AUTOCTL_DEBUG: '',
  };
  const argv = (args: string[]) =>
    asRoot
      ? ([
          'runuser',
          ['-u', 'postgres', '--', 'env', ...Object.entries(env).map(([k, v]) => `${k}=${v}`), 'pg_autoctl', ...args],
        ] as const)
      : (['pg_autoctl', args] as const);
  const children: ChildProcess[] = [];
  const logs: Record<string, string> = {};
  const daemon = (name: string, args: string[]) => {
    const [cmd, a] = argv(args);
    // Its own process group: a kill takes the keeper and the PostgreSQL it started together.
    const c = spawn(cmd, [...a], {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
    });
    logs[name] = '';
    c.stdout!.on('data', (d) => (logs[name] += d));
    c.stderr!.on('data', (d) => (logs[name] += d));
    children.push(c);
    return c;
  };
  const killGroup = (c: ChildProcess, signal: NodeJS.Signals) => {
    try {
      process.kill(-c.pid!, signal);
    } catch {
      // already gone
    }
  };
  const [monPort, p1, p2] = [await freePort(), await freePort(), await freePort()];
  const common = ['--hostname', '127.0.0.1', '--listen', '127.0.0.1', '--auth', 'trust', '--no-ssl'];
  const monitorUrl = `postgres://autoctl_node@127.0.0.1:${monPort}/pg_auto_failover`;
  const nodeUrl = (p: number) => `postgres://postgres@127.0.0.1:${p}/postgres`;
  const query = async (url: string, sql: string) => {
    const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
    c.on('error', () => undefined);
    try {
      await c.connect();
      return (await c.query(sql)).rows;
    } finally {
      await c.end().catch(() => undefined);
    }
  };
  const until = async (what: string, ms: number, check: () => Promise<boolean>) => {
    const end = Date.now() + ms;
    for (;;) {
      if (await check().catch(() => false)) return Date.now();
      if (Date.now() > end) {
        throw new Error(
          `pg_auto_failover: ${what} timed out\n${Object.entries(logs)
            .map(([n, l]) => `--- ${n}\n${l.slice(-1500)}`)
            .join('\n')}`,
        );
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  };
  let lb: Balancer | undefined;
  const stop = async () => {
    await lb?.stop();
    for (const c of children) killGroup(c, 'SIGTERM');
    await Promise.all(
      children.map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.exitCode !== null || c.signalCode !== null) return resolve();
            const t = setTimeout(() => {
              killGroup(c, 'SIGKILL');
              resolve();
            }, 15_000);
            c.once('exit', () => {
              clearTimeout(t);
              resolve();
            });
          }),
      ),
    );
    // Postgres children that outlived their keeper (the group was signalled, but to be sure).
    for (const c of children) killGroup(c, 'SIGKILL');
    rmSync(root, { recursive: true, force: true });
  };
  try {
    daemon('monitor', [
      'create',
      'monitor',
      '--pgdata',
      join(root, 'monitor'),
      '--pgport',
      String(monPort),
      ...common,
      '--run',
    ]);
    await until('the monitor', 120_000, async () => (await query(monitorUrl, 'select 1')).length === 1);
    // Failure detection in seconds rather than the default 20 s (the monitor's GUCs, milliseconds).
    await query(
      `postgres://postgres@127.0.0.1:${monPort}/pg_auto_failover`,
      'alter system set pgautofailover.health_check_period = 1000',
    );
    for (const [k, v] of [
      ['health_check_timeout', 1000],
      ['health_check_max_retries', 1],
      ['health_check_retry_delay', 500],
      ['node_considered_unhealthy_timeout', 3000],
      // How long the promoted standby stays read-only waiting for the old primary to demote itself.
      ['primary_demote_timeout', 5000],
    ] as const) {
      await query(
        `postgres://postgres@127.0.0.1:${monPort}/pg_auto_failover`,
        `alter system set pgautofailover.${k} = ${v}`,
      );
    }
    await query(`postgres://postgres@127.0.0.1:${monPort}/pg_auto_failover`, 'select pg_reload_conf()');
    const node = (name: string, port: number) =>
      daemon(name, [
        'create',
        'postgres',
        '--pgdata',
        join(root, name),
        '--pgport',
        String(port),
        ...common,
        '--monitor',
        monitorUrl,
        '--pgctl',
        join(bindir(), 'pg_ctl'),
        '--run',
      ]);
    node('node1', p1);
    await until(
      'node 1 as the primary',
      120_000,
      async () => (await query(nodeUrl(p1), 'select pg_is_in_recovery() as r'))[0]?.r === false,
    );
    node('node2', p2);
    // The standby is synchronous (pg_auto_failover's default: number_sync_standbys 0, replication quorum on).
    await until('node 2 as a synchronous standby', 180_000, async () => {
      const r = await query(nodeUrl(p1), 'select sync_state from pg_stat_replication');
      return r.some((x) => x.sync_state === 'quorum' || x.sync_state === 'sync');
    });
    lb = await startHaproxy([p1, p2], {
      backend: primaryCheck(),
      server: 'inter 500ms fall 2 rise 1 on-marked-down shutdown-sessions',
    });
    const url = `postgres://postgres@127.0.0.1:${lb.port}/postgres`;
    // HAProxy starts with every server up until its checks say otherwise (fall 2, inter 500 ms): one answer from
    // node 1 is not enough, a next connection may still reach the read-only standby. Ten writable answers from
    // node 1 in a row over two seconds are (seen in CI: CREATE SCHEMA refused in a read-only transaction).
    await until('the balancer to the writable primary only', 60_000, async () => {
      for (let i = 0; i < 10; i++) {
        const r = (await query(url, `select inet_server_port() as p, (${WRITABLE_SQL}) as ro`))[0];
        if (r?.p !== p1 || r?.ro !== false) return false;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      return true;
    });
    return {
      url,
      nodes: [nodeUrl(p1), nodeUrl(p2)],
      killPrimary: () => killGroup(children[1]!, 'SIGKILL'),
      waitPromoted: (ms) =>
        until('the promotion of node 2', ms, async () => {
          // Writable, not only out of recovery.
          const r = await query(nodeUrl(p2), `${WRITABLE_SQL} as r`);
          return r[0]?.r === false;
        }),
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}
