// A reference AE process (apps/ae, built) as its own node, driven through its JSON-line interface.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Topology } from '../net/topology.js';
import { type NodeProcess, startProcess } from './process.js';

export const aeMain = fileURLToPath(new URL('../../../apps/ae/dist/main.js', import.meta.url));

export interface AeResponse {
  rsc: number;
  pc?: any;
  dbg?: string;
  ms?: number;
}

export interface AeNode {
  proc: NodeProcess;
  aeId: string;
  /** Sends a request primitive (fields as in m2m:rqp) and waits for its response line. */
  request(req: Record<string, unknown>, timeoutMs?: number): Promise<AeResponse>;
  post(con: unknown, to?: string): Promise<AeResponse>;
  /** Notification lines seen so far. */
  notifications(): any[];
  stop(): Promise<void>;
}

let nextId = 0;

export async function startAe(
  topo: Topology,
  node: string,
  name: string,
  config: Record<string, unknown>,
): Promise<AeNode> {
  const dir = mkdtempSync(join(tmpdir(), `m2msec-e2e-${name}-`));
  const configPath = join(dir, 'ae.json');
  writeFileSync(configPath, JSON.stringify(config));
  const proc = startProcess(topo, node, name, process.execPath, [aeMain, 'run', '--config', configPath]);
  const ready = JSON.parse(await proc.waitForLine(/"event":"(ready|error)"/, 60_000));
  if (ready.event !== 'ready') throw new Error(`${name} failed to start: ${ready.message}\n${proc.output()}`);
  const events = () =>
    proc
      .output()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => {
        try {
          return JSON.parse(l);
        } catch {
          return undefined;
        }
      })
      .filter(Boolean);
  const request = async (req: Record<string, unknown>, timeoutMs = 30_000): Promise<AeResponse> => {
    const id = ++nextId;
    proc.child.stdin!.write(`${JSON.stringify({ id, ...req })}\n`);
    const line = await proc.waitForLine(new RegExp(`"event":"response","id":${id}[,}]`), timeoutMs);
    return JSON.parse(line);
  };
  return {
    proc,
    aeId: ready.aeId,
    request,
    post: (con, to) => request({ cmd: 'post', con, ...(to ? { to } : {}) }),
    notifications: () => events().filter((e) => e.event === 'notification'),
    stop: () => proc.stop(),
  };
}
