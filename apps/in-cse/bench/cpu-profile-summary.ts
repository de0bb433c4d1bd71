// Summarises a V8 .cpuprofile (node --cpu-prof): self time of the top frames and of each package, in µs
// per request when the request count is given, so profiles before and after a change compare directly.
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** Where a frame's code lives: a workspace package, an npm package, node itself or V8. */
function packageOf(url: string): string {
  if (url === '') return '(native / V8)';
  if (url.startsWith('node:')) return 'node:internal';
  const pnpm = url.match(/node_modules\/\.pnpm\/[^/]+\/node_modules\/((?:@[^/]+\/)?[^/]+)/);
  if (pnpm) return pnpm[1]!;
  const ws = url.match(/\/(packages|apps)\/([^/]+)\//);
  if (ws) return `@m2msec/${ws[2]}`;
  return url;
}

function shortUrl(url: string): string {
  const m = url.match(/\/((?:packages|apps)\/.*|node_modules\/\.pnpm\/[^/]+\/node_modules\/.*)$/);
  return (m?.[1] ?? url).replace(/node_modules\/\.pnpm\/[^/]+\/node_modules\//, '');
}

/**
 * `window` (µs of the monotonic clock that both V8's profile timestamps and process.hrtime use) keeps only
 * the samples taken under load, leaving start-up (module loading, schema compilation) out.
 */
export function summariseProfile(file: string, requests: number, window?: [number, number], top = 25): void {
  const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  let t = p.startTime;
  for (let i = 0; i < p.samples.length; i++) {
    t += p.timeDeltas[i] ?? 0;
    if (window && (t < window[0] || t > window[1])) continue;
    self.set(p.samples[i]!, (self.get(p.samples[i]!) ?? 0) + (p.timeDeltas[i] ?? 0));
  }
  const frames = new Map<string, number>();
  const packages = new Map<string, number>();
  let total = 0;
  let idle = 0;
  for (const [id, us] of self) {
    const f = byId.get(id)!.callFrame;
    if (f.functionName === '(idle)') {
      idle += us;
      continue;
    }
    total += us;
    const key = `${f.functionName || '(anonymous)'} ${f.url ? `${shortUrl(f.url)}:${f.lineNumber + 1}` : ''}`;
    frames.set(key, (frames.get(key) ?? 0) + us);
    const pkg = packageOf(f.url);
    packages.set(pkg, (packages.get(pkg) ?? 0) + us);
  }
  const per = (us: number) => (requests > 0 ? `${(us / requests).toFixed(1).padStart(7)} µs/req` : '');
  const pct = (us: number) => `${((100 * us) / total).toFixed(1).padStart(5)}%`;
  console.log(`busy ${(total / 1e6).toFixed(2)} s, idle ${(idle / 1e6).toFixed(2)} s; busy ${per(total)}`);
  console.log('\nself time by package:');
  for (const [k, us] of [...packages].sort((a, b) => b[1] - a[1]).slice(0, 15))
    console.log(`  ${pct(us)} ${per(us)}  ${k}`);
  console.log(`\ntop ${top} frames by self time:`);
  for (const [k, us] of [...frames].sort((a, b) => b[1] - a[1]).slice(0, top))
    console.log(`  ${pct(us)} ${per(us)}  ${k}`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  summariseProfile(process.argv[2]!, Number(process.argv[3] ?? 0));
}
