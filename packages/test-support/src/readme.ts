// Runs the example of a package's README as a program, so a README that stops working fails a test.
import { spawn } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ReadmeRun {
  stdout: string;
  stderr: string;
  status: number | null;
}

/**
 * Runs the first ```ts block of `<pkgDir>/README.md` (after the heading `## <section>` when given) with tsx, from inside the package (so the package's
 * own name resolves to its sources through the "source" condition), and returns what it printed.
 */
export async function runReadmeExample(
  pkgDir: string,
  o: { section?: string; transform?: (code: string) => string; timeoutMs?: number } = {},
): Promise<ReadmeRun> {
  const readme = readFileSync(join(pkgDir, 'README.md'), 'utf8');
  const from = o.section ? readme.indexOf(`## ${o.section}`) : 0;
  const code = from < 0 ? undefined : /```ts\n([\s\S]*?)```/.exec(readme.slice(from))?.[1];
  if (code === undefined) throw new Error(`no \`\`\`ts block in ${join(pkgDir, 'README.md')}`);
  const file = join(pkgDir, `.readme-example-${process.pid}-${Date.now()}.ts`);
  writeFileSync(file, o.transform ? o.transform(code) : code);
  try {
    return await new Promise<ReadmeRun>((resolve, reject) => {
      const p = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', file], { cwd: pkgDir });
      let stdout = '';
      let stderr = '';
      p.stdout.on('data', (d) => {
        stdout += d;
      });
      p.stderr.on('data', (d) => {
        stderr += d;
      });
      const timer = setTimeout(() => p.kill('SIGKILL'), o.timeoutMs ?? 60_000);
      p.on('error', reject);
      p.on('close', (status) => {
        clearTimeout(timer);
        resolve({ stdout, stderr, status });
      });
    });
  } finally {
    rmSync(file, { force: true });
  }
}
