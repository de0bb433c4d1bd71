// The reference AE (apps/ae, built) as its own process in `run` mode, driven by its JSON command lines:
// one command per stdin line, events ('ready', 'response', 'error') as stdout lines. The caller's package
// must build @m2msec/ae first (a devDependency).
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

// From packages/test-support/{src,dist}/ to apps/ae/dist/.
const aeMain = fileURLToPath(new URL('../../../apps/ae/dist/main.js', import.meta.url));

export type AeEvent = Record<string, any>;

export interface AeProcess {
  stderr(): string;
  /** The first event (already seen or still to come) that `pred` accepts; throws once the AE has exited. */
  next(pred: (e: AeEvent) => boolean): Promise<AeEvent>;
  /** Sends a command and resolves with its response event. */
  command(c: Record<string, unknown> & { id: number }): Promise<AeEvent>;
  stop(): Promise<void>;
}

export function startAeProcess(configPath: string): AeProcess {
  const ae = spawn(process.execPath, [aeMain, 'run', '--config', configPath], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  ae.stderr!.on('data', (d) => (stderr += d));
  const events: AeEvent[] = [];
  createInterface({ input: ae.stdout! }).on('line', (l) => events.push(JSON.parse(l)));
  const next = async (pred: (e: AeEvent) => boolean) => {
    for (;;) {
      const e = events.find(pred);
      if (e) return e;
      if (ae.exitCode !== null) throw new Error(`ae exited: ${stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  return {
    stderr: () => stderr,
    next,
    command: (c) => {
      ae.stdin!.write(`${JSON.stringify(c)}\n`);
      return next((e) => e.event === 'response' && e.id === c.id);
    },
    async stop() {
      if (ae.exitCode !== null) return;
      const exited = new Promise((r) => ae.once('exit', r));
      ae.kill('SIGTERM');
      await exited;
    },
  };
}
