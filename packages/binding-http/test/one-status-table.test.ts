// Lint-style guard of the one error model (issue 11 item 5, docs/errors.md): the rsc -> HTTP table of
// TS-0009 Table 6.3.2-1 exists once, in this package (src/response/status-mapping.ts), and the rsc -> CoAP
// table of TS-0008 Table 6.2.4-1 once, in binding-coap. At the filing it existed three times and the
// MAF's copy answered 5103 with 503 (the clause says 404). This test reads every source file under packages/
// and apps/ and fails on anything shaped like a further mapping: a table row `4004: 404`, `5103: c(4, 4)`,
// `[ResponseStatusCode.X]: 403`, a conditional `rsc === 4004 ? 404`, a `case 4004: return 404`.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** The only files allowed to map an rsc to a transport status. */
const MAPPING_FILES = new Set([
  'packages/binding-http/src/response/status-mapping.ts',
  'packages/binding-coap/src/response/status-mapping.ts',
]);

const RSC = String.raw`(?:[1-6]\d{3}|ResponseStatusCode\.[A-Z_]+)`;
const HTTP = String.raw`[1-5]\d{2}\b`;
// A CoAP code literal, or a named one (binding-coap's table names them: BAD_REQUEST, NOT_FOUND, ...).
const COAP = String.raw`(?:(?:c|coapCode)\(\s*\d\s*,\s*\d+\s*\)|[A-Z][A-Z_]{2,}\b(?!\.))`;
const PATTERNS: [string, RegExp][] = [
  // `5103: 503,` / `4004: c(4, 4),` / `[ResponseStatusCode.NOT_FOUND]: 404,`
  ['table row', new RegExp(String.raw`(?:^|[\s{,])\[?${RSC}\]?\s*:\s*(?:${HTTP}|${COAP})`)],
  // `e.rsc === 4004 ? 404 : 400` / `if (rsc === 4004) return 404`
  [
    'conditional',
    new RegExp(String.raw`\brsc\s*===?\s*${RSC}\s*(?:\?|\)\s*(?:return\s+)?|&&)\s*(?:\(?\s*)(?:${HTTP}|${COAP})`),
  ],
  // `case 4004: return 404;`
  ['switch', new RegExp(String.raw`\bcase\s+${RSC}\s*:\s*(?:return\s+)?(?:${HTTP}|${COAP})`)],
];

/** Mapping-shaped lines of one source text: [line number, kind, text]. */
function mappingLines(text: string): [number, string, string][] {
  const out: [number, string, string][] = [];
  text.split('\n').forEach((line, i) => {
    const code = line.replace(/\/\/.*$/, '');
    for (const [kind, re] of PATTERNS) if (re.test(code)) out.push([i + 1, kind, line.trim()]);
  });
  return out;
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sourceFiles(p));
    else if (/\.(ts|mts|js|mjs)$/.test(name) && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

describe('one rsc -> transport status table per binding', () => {
  it('the detector finds the shapes a second table takes (the MAF copy that was wrong, a ternary, a switch)', () => {
    expect(mappingLines('const t = {\n  5103: 503,\n  4004: 404,\n};').map(([n]) => n)).toEqual([2, 3]);
    expect(mappingLines('  [ResponseStatusCode.NOT_FOUND]: 404,')).toHaveLength(1);
    expect(mappingLines('  4004: c(4, 4),')).toHaveLength(1);
    expect(mappingLines('  4004: NOT_FOUND,')).toHaveLength(1);
    expect(mappingLines('return { status: e.rsc === 4004 ? 404 : 400 };')).toHaveLength(1);
    expect(mappingLines('if (rsc === ResponseStatusCode.NOT_FOUND) return 404;')).toHaveLength(1);
    expect(mappingLines('    case 4103: return 403;')).toHaveLength(1);
  });

  it('and leaves alone what is no such mapping (an HTTP-native status with its rsc, timeouts, comments)', () => {
    expect(mappingLines("  404: ['EST_NOT_FOUND', 4004],")).toEqual([]);
    expect(mappingLines('  maxmem: 256 * d.N * d.r + 1024 * 1024,')).toEqual([]);
    expect(mappingLines('// TS-0009 maps 5103: 404 here')).toEqual([]);
    expect(mappingLines('const timeoutMs = 5000;')).toEqual([]);
  });

  it('no source file under packages/ or apps/ holds one outside the two binding tables', () => {
    const found: string[] = [];
    for (const top of ['packages', 'apps']) {
      for (const file of sourceFiles(join(root, top))) {
        const rel = relative(root, file).split('\\').join('/');
        if (MAPPING_FILES.has(rel) || /\/(test|bench)\//.test(rel)) continue;
        for (const [n, kind, line] of mappingLines(readFileSync(file, 'utf8')))
          found.push(`${rel}:${n} (${kind}) ${line}`);
      }
    }
    expect(found, found.join('\n')).toEqual([]);
  });

  it('the two tables themselves are seen by the detector (the scan would notice them elsewhere)', () => {
    for (const rel of MAPPING_FILES) {
      expect(mappingLines(readFileSync(join(root, rel), 'utf8')).length, rel).toBeGreaterThan(40);
    }
  });
});
