// CPU profile of the IN-CSE under the protected GET `la` load (issue 21): the IN-CSE runs with
// `node --cpu-prof`, the load generator in this process; on exit the profile is summarised (top frames by
// self time, and by package) and its path printed, for chrome://inspect or speedscope.
// Usage: pnpm --filter @m2msec/in-cse exec tsx bench/profile-get.ts   (PROFILE_SECONDS, default 8)
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startInCse } from '../test/harness.js';
import { summariseProfile } from './cpu-profile-summary.js';
import { load } from './load.js';
import { LATEST, READER_HEADERS, setUpProtectedGet } from './protected-get-setup.js';

const seconds = Number(process.env.PROFILE_SECONDS ?? 8);

async function main() {
  const dir = process.env.PROFILE_DIR ?? mkdtempSync(join(tmpdir(), 'm2msec-cpu-prof-'));
  const cse = await startInCse({
    store: 'sqlite',
    env: { M2MSEC_LOG_LEVEL: 'error' },
    nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${dir}`],
  });
  await setUpProtectedGet(cse);
  const url = `${cse.url}${LATEST}`;
  await load(url, READER_HEADERS, { concurrency: 16, seconds: 1, maxRequests: 1e6 });
  const from = Number(process.hrtime.bigint() / 1000n);
  const r = await load(url, READER_HEADERS, { concurrency: 32, seconds, maxRequests: 5e6 });
  const to = Number(process.hrtime.bigint() / 1000n);
  await cse.stop();
  rmSync(cse.dataDir, { recursive: true, force: true });
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) throw new Error(`no profile written in ${dir}`);
  console.log(
    `GET la under an ACP: ${r.requests} requests in ${r.seconds.toFixed(1)} s (${r.perSecond.toFixed(0)}/s), ${r.errors} errors`,
  );
  console.log(`profile: ${join(dir, file)}`);
  summariseProfile(join(dir, file), r.requests, [from, to]);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
