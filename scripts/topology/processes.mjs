// The topology's programs as child processes: output appended to one log file each (JSON lines), waited
// for by a condition (a line in the log, a listener that answers), stopped by their own PIDs.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';

/** The environment of a child: this one's, without any M2MSEC_* setting the user's shell may carry. */
function childEnv(extra) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('M2MSEC_')) env[k] = v;
  return { ...env, ...extra };
}

export function startProgram(l, name, script, args, env) {
  const logFile = join(l.logs, `${name}.log`);
  const fd = openSync(logFile, 'a', 0o600);
  const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', fd, fd], env: childEnv(env) });
  closeSync(fd);
  const p = { name, logFile, child, exited: null };
  child.once('exit', (code, signal) => {
    p.exited = { code, signal };
  });
  return p;
}

export const logOf = (p) => (existsSync(p.logFile) ? readFileSync(p.logFile, 'utf8') : '');

export function tail(p, n = 20) {
  return logOf(p).trimEnd().split('\n').slice(-n).join('\n');
}

export function accepts(host, port) {
  return new Promise((resolve) => {
    const s = connect(port, host);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/** Polls `ok` until it holds; fails at once, with the log's end, when the program exits. */
export async function until(p, what, ok, timeoutMs = 180_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (p.exited)
      throw new Error(
        `${p.name} exited (${p.exited.code ?? p.exited.signal}) before ${what}; its log ends:\n${tail(p)}`,
      );
    try {
      if (await ok()) return;
    } catch {
      // not yet
    }
    if (Date.now() > deadline)
      throw new Error(`${p.name}: no ${what} within ${timeoutMs / 1000} s; its log ends:\n${tail(p)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** SIGTERM to each running program (by its PID), then waits for all to exit; SIGKILL after 20 s. */
export async function stopAll(programs) {
  const running = programs.filter((p) => p && !p.exited);
  await Promise.all(
    running.map(
      (p) =>
        new Promise((resolve) => {
          if (p.exited) return resolve();
          const t = setTimeout(() => p.child.kill('SIGKILL'), 20_000);
          p.child.once('exit', () => {
            clearTimeout(t);
            resolve();
          });
          p.child.kill('SIGTERM');
        }),
    ),
  );
}
