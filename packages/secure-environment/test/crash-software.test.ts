import { unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createKeyFile, openSoftwareSecureEnvironment } from '../src/index.js';
import { bundleChild, checkWholeSessions, prng, runAndKill } from './crash.js';
import { tmp } from './helpers.js';

const TRIALS = 200;
let child: string;
beforeAll(async () => {
  child = await bundleChild();
});
afterAll(() => unlinkSync(child));

it(`software SE: ${TRIALS} SIGKILLs during provisioning leave every session whole or absent`, {
  timeout: 120_000,
}, async () => {
  const dir = tmp('crash');
  const keyFile = join(dir, 'kek');
  createKeyFile(keyFile);
  const path = join(dir, 'keystore.json');
  const setup = await openSoftwareSecureEnvironment({ path, keyFile });
  await setup.importKey({ algorithm: 'HMAC', usages: ['mac'], id: 'session' }, new Uint8Array(32).fill(9));
  await setup.close();
  const seed = Number(process.env.CRASH_SEED ?? Date.now() % 100000);
  const rng = prng(seed);
  let K = 0;
  let acknowledged = 0;
  for (let trial = 0; trial < TRIALS; trial++) {
    const lastAck = await runAndKill(child, { kind: 'software', path, keyFile }, rng, trial % 4 === 3);
    acknowledged += Math.max(0, lastAck - K);
    const se = await openSoftwareSecureEnvironment({ path, keyFile, create: false });
    try {
      K = await checkWholeSessions(se, lastAck, K);
    } catch (err) {
      throw new Error(`trial ${trial} (seed ${seed}): ${(err as Error).message}`);
    } finally {
      await se.close();
    }
  }
  // the kills must have landed between and inside sessions, not only before the first one
  expect(K).toBeGreaterThan(TRIALS / 4);
  expect(acknowledged).toBeGreaterThan(0);
});
