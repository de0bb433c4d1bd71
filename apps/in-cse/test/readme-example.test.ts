// The README's example runs as written (its ports swapped for free ones) and prints what the README says.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { freePort } from './harness.js';

it('README example: register, refuse, count, log', async () => {
  const dir = fileURLToPath(new URL('..', import.meta.url));
  const readme = readFileSync(`${dir}/README.md`, 'utf8');
  const block = /## Example[\s\S]*?```sh\n([\s\S]*?)```/.exec(readme)?.[1];
  expect(block).toBeDefined();
  const [http, ops] = [await freePort(), await freePort()];
  const script = block!.replaceAll('8080', String(http)).replaceAll('9464', String(ops));
  const r = await new Promise<{ code: number | null; out: string }>((resolve) => {
    // Its own process group, so the IN-CSE it starts in the background goes with it whatever happens.
    const p = spawn('bash', ['-e', '-c', script], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (out += d));
    const killGroup = () => {
      try {
        process.kill(-p.pid!, 'SIGKILL');
      } catch {
        /* already gone */
      }
    };
    const timer = setTimeout(killGroup, 60_000);
    p.on('exit', (code) => {
      clearTimeout(timer);
      killGroup();
      resolve({ code, out });
    });
  });
  expect(r.code, r.out).toBe(0);
  expect(r.out).toMatch(/"m2m:ae":\{[^\n]*"aei":"Cmeter"/);
  expect(r.out).toMatch(/^403$/m);
  expect(r.out).toContain('m2msec_requests_total{op="1",rsc="2001",binding="http",app="in-cse"} 2');
  expect(r.out).toContain('m2msec_requests_total{op="2",rsc="4103",binding="http",app="in-cse"} 1');
  const security = JSON.parse(r.out.split('\n').find((l) => l.includes('"kind":"security"'))!);
  expect(security).toMatchObject({ reason: 'originator-has-no-privilege', originator: 'Cother', rsc: 4103 });
}, 90_000);
