// Runs the shell example of an app's README as written, so a README whose commands stop working fails a
// test: the fenced ```sh block is what a user types from the app's folder after `pnpm build`.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from './in-cse-process.js';
import type { ReadmeRun } from './readme.js';

export interface ReadmeShellRun extends ReadmeRun {
  /** The README's port numbers and the free loopback ports that replaced them in this run. */
  ports: Map<number, number>;
  /** The script as it ran. */
  script: string;
}

/**
 * Runs the first ```sh block of `<pkgDir>/README.md` after the heading `## <section>` with `bash -e`, from
 * `pkgDir`. Every port number in `ports` is replaced (as a whole number) by a free loopback port, so parallel
 * test files never collide and the README can show the app's real defaults. The script runs in its own
 * process group, killed when the script ends or after `timeoutMs`, so what it starts in the background
 * never outlives the test.
 */
export async function runReadmeShell(
  pkgDir: string,
  o: { section: string; ports?: readonly number[]; env?: Record<string, string>; timeoutMs?: number },
): Promise<ReadmeShellRun> {
  const readme = readFileSync(join(pkgDir, 'README.md'), 'utf8');
  const from = readme.indexOf(`## ${o.section}\n`);
  const block = from < 0 ? undefined : /```sh\n([\s\S]*?)```/.exec(readme.slice(from))?.[1];
  if (block === undefined) throw new Error(`no \`\`\`sh block under "## ${o.section}" in ${join(pkgDir, 'README.md')}`);
  const ports = new Map<number, number>();
  let script = block;
  for (const p of o.ports ?? []) {
    const free = await freePort();
    ports.set(p, free);
    script = script.replace(new RegExp(`(?<![0-9])${p}(?![0-9])`, 'g'), String(free));
  }
  const run = await new Promise<ReadmeRun>((resolve, reject) => {
    const p = spawn('bash', ['-e', '-o', 'pipefail', '-c', script], {
      cwd: pkgDir,
      env: { ...process.env, ...o.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => {
      stdout += d;
    });
    p.stderr.on('data', (d) => {
      stderr += d;
    });
    const killGroup = () => {
      try {
        process.kill(-p.pid!, 'SIGKILL');
      } catch {
        // the group is already gone
      }
    };
    const timer = setTimeout(killGroup, o.timeoutMs ?? 60_000);
    p.on('error', reject);
    // The script's end takes its background processes with it; their output is read to the end ('close').
    let status: number | null = null;
    p.on('exit', (code) => {
      status = code;
      clearTimeout(timer);
      killGroup();
    });
    p.on('close', () => resolve({ stdout, stderr, status }));
  });
  return { ...run, ports, script };
}
