import { unlinkSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openPkcs11SecureEnvironment } from '../src/index.js';
import { bundleChild, checkWholeSessions, prng, runAndKill } from './crash.js';
import { newSoftHsmToken } from './softhsm.js';

const TRIALS = 80;
let child: string;
beforeAll(async () => {
  child = await bundleChild();
});
afterAll(() => unlinkSync(child));

it(`PKCS#11 SE: ${TRIALS} SIGKILLs during provisioning; recovery at open completes or rolls back each session`, {
  timeout: 120_000,
}, async () => {
  const token = newSoftHsmToken();
  const setup = await openPkcs11SecureEnvironment(token);
  await setup.importKey({ algorithm: 'HMAC', usages: ['mac'], id: 'session' }, new Uint8Array(32).fill(9));
  await setup.close();
  const seed = Number(process.env.CRASH_SEED ?? Date.now() % 100000);
  const rng = prng(seed);
  let K = 0;
  let recoveries = 0;
  for (let trial = 0; trial < TRIALS; trial++) {
    const lastAck = await runAndKill(child, { kind: 'pkcs11', ...token }, rng, trial % 4 === 3);
    // the parent's module was finalised by close(), so this open re-reads the token from disk
    const notes: string[] = [];
    const se = await openPkcs11SecureEnvironment({
      ...token,
      audit: (e) => (e.operation === 'recovery' ? recoveries++ : 0),
      logger: { debug: () => {}, warn: (m, f) => notes.push(`${m} ${JSON.stringify(f)}`) },
    });
    try {
      K = await checkWholeSessions(se, lastAck, K);
    } catch (err) {
      throw new Error(
        `trial ${trial} (seed ${seed}, last ack ${lastAck}): ${(err as Error).message}; recovery: ${notes.join(' | ')}`,
      );
    } finally {
      await se.close();
    }
  }
  // sessions committed between kills (a PKCS#11 commit takes tens of ms on SoftHSM2)
  expect(K).toBeGreaterThan(3);
  // kills landed inside commits: recovery had work to do at least once
  expect(recoveries).toBeGreaterThan(0);
});
