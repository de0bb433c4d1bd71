// A node's process: started inside its namespace (or on loopback), output kept for failure
// messages, stopped by signal. Only processes started here are ever signalled, by their own pid.
import { type ChildProcess, spawn } from 'node:child_process';
import type { Topology } from '../net/topology.js';

export interface NodeProcess {
  name: string;
  child: ChildProcess;
  output(): string;
  /** Resolves with the first output line matching `re`. */
  waitForLine(re: RegExp, timeoutMs?: number): Promise<string>;
  /** Sends `signal` and waits for the exit (SIGKILL after `graceMs`). */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<void>;
  readonly exited: boolean;
}

export function startProcess(
  topo: Topology,
  node: string,
  name: string,
  cmd: string,
  args: string[],
  env: Record<string, string> = {},
): NodeProcess {
  const [c, a] = topo.command(node, cmd, args);
  const child = spawn(c, a, { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  const listeners = new Set<(line: string) => void>();
  let partial = '';
  const onData = (d: Buffer) => {
    const text = d.toString('utf8');
    out += text;
    if (out.length > 200_000) out = out.slice(-100_000);
    partial += text;
    const lines = partial.split('\n');
    partial = lines.pop()!;
    for (const l of lines) for (const f of listeners) f(l);
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  child.stdin!.on('error', () => undefined);
  let exited = false;
  const exit = new Promise<void>((r) =>
    child.once('exit', () => {
      exited = true;
      r();
    }),
  );
  return {
    name,
    child,
    output: () => out,
    get exited() {
      return exited;
    },
    waitForLine(re, timeoutMs = 30_000) {
      const seen = out.split('\n').find((l) => re.test(l));
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => {
          listeners.delete(f);
          reject(new Error(`${name}: no line matching ${re} within ${timeoutMs} ms. Output:\n${out.slice(-4000)}`));
        }, timeoutMs);
        const f = (l: string) => {
          if (!re.test(l)) return;
          clearTimeout(t);
          listeners.delete(f);
          resolve(l);
        };
        listeners.add(f);
        void exit.then(() => {
          if (!listeners.has(f)) return;
          clearTimeout(t);
          listeners.delete(f);
          reject(
            new Error(
              `${name} exited (${child.exitCode ?? child.signalCode}) before ${re}. Output:\n${out.slice(-4000)}`,
            ),
          );
        });
      });
    },
    async stop(signal = 'SIGTERM', graceMs = 10_000) {
      if (exited) return;
      child.kill(signal);
      const t = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exit;
      clearTimeout(t);
    },
  };
}

/** Polls `probe` until it returns true. */
export async function until(
  what: string,
  probe: () => Promise<boolean>,
  timeoutMs = 30_000,
  everyMs = 200,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      if (await probe()) return;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline)
      throw new Error(`${what}: not within ${timeoutMs} ms${last ? ` (${(last as Error).message})` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
