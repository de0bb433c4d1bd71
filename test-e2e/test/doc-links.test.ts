// Every relative link in the repository's Markdown (README.md, docs/, each package's and app's README)
// resolves to a file or folder of the repository, and every #anchor to a heading of its target.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repo = fileURLToPath(new URL('../../', import.meta.url));

function markdownFiles(): string[] {
  const files = [join(repo, 'README.md')];
  for (const d of ['docs'])
    for (const f of readdirSync(join(repo, d))) if (f.endsWith('.md')) files.push(join(repo, d, f));
  for (const group of ['packages', 'apps', 'examples'])
    for (const p of readdirSync(join(repo, group))) {
      const readme = join(repo, group, p, 'README.md');
      if (existsSync(readme)) files.push(readme);
    }
  for (const top of ['test-e2e', 'fuzz', 'test-conformance', 'infra/docker']) {
    const readme = join(repo, top, 'README.md');
    if (existsSync(readme)) files.push(readme);
  }
  return files;
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens. */
const anchor = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');

function anchors(file: string): Set<string> {
  const text = readFileSync(file, 'utf8').replace(/```[\s\S]*?```/g, '');
  return new Set([...text.matchAll(/^#{1,6}\s+(.+)$/gm)].map((m) => anchor(m[1]!)));
}

function links(file: string): string[] {
  const text = readFileSync(file, 'utf8')
    .replace(/```[\s\S]*?```/g, '')
    .replace(/`[^`]*`/g, '');
  return [...text.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!).filter((l) => !/^[a-z][a-z0-9+.-]*:/i.test(l));
}

describe('Markdown links', () => {
  for (const file of markdownFiles()) {
    it(relative(repo, file), () => {
      const broken: string[] = [];
      for (const link of links(file)) {
        const [path, hash] = link.split('#') as [string, string | undefined];
        const target = path === '' ? file : join(dirname(file), decodeURIComponent(path));
        if (!target.startsWith(repo) || !existsSync(target)) {
          broken.push(`${link} (no such file in the repository)`);
          continue;
        }
        if (hash && statSync(target).isFile() && target.endsWith('.md') && !anchors(target).has(hash)) {
          broken.push(`${link} (no heading #${hash})`);
        }
      }
      expect(broken).toEqual([]);
    });
  }
});
