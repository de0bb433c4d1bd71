// The README example runs as written (port and keystore path swapped for free ones).
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it, vi } from 'vitest';

it('README example enrols over TLS-PSK with channel binding', async () => {
  const readme = readFileSync(fileURLToPath(new URL('../README.md', import.meta.url)), 'utf8');
  const code = /## Example\n\n```ts\n([\s\S]*?)```/.exec(readme)?.[1];
  expect(code).toBeDefined();
  const port = await new Promise<number>((resolve) => {
    const s = createServer().listen(0, () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
  const ks = join(tmpdir(), `m2msec-est-readme-${process.pid}.json`);
  const file = fileURLToPath(new URL(`./.readme-example-${process.pid}.tmp.ts`, import.meta.url));
  writeFileSync(file, (code ?? '').replaceAll('8443', String(port)).replace("'/tmp/mef-ks.json'", JSON.stringify(ks)));
  const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
  try {
    await import(/* @vite-ignore */ file);
    expect(log).toHaveBeenCalledWith('issued');
  } finally {
    log.mockRestore();
    rmSync(file, { force: true });
    rmSync(ks, { force: true });
  }
});
