// The MN-CSE (apps/mn-cse dist) as its own process with a JSON configuration file, for the process tests.
import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const main = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'main.js');

export interface MnCseProcess {
  output(): string;
  stop(): Promise<void>;
}

/** Writes `config` to `<dir>/config.json` (0600) and starts the MN-CSE on it; resolves at "MN-CSE ready". */
export async function startMnCseProcess(dir: string, config: Record<string, unknown>): Promise<MnCseProcess> {
  const file = join(dir, 'config.json');
  writeFileSync(file, JSON.stringify(config), { mode: 0o600 });
  const child: ChildProcess = spawn(process.execPath, [main], {
    env: { ...process.env, M2MSEC_CONFIG: file, M2MSEC_LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // The machine may be loaded: a generous bound on the start.
  const deadline = Date.now() + 90_000;
  while (!out.includes('MN-CSE ready')) {
    if (child.exitCode !== null) throw new Error(`mn-cse exited with ${child.exitCode}: ${out}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`mn-cse did not start: ${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    output: () => out,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
