// Scenario tests start real processes (built apps), mosquitto and use PostgreSQL: one file at a time,
// generous timeouts for a loaded 2-core machine. The example gateway lives outside the workspace
// (examples/ is not a workspace folder): its imports resolve through this package's dependencies.
import { createRequire } from 'node:module';
import { defineConfig, mergeConfig } from 'vitest/config';
import shared from '../vitest.shared.js';

const require = createRequire(import.meta.url);

export default mergeConfig(
  shared,
  defineConfig({
    resolve: {
      alias: [
        { find: /^express$/, replacement: require.resolve('express') },
        { find: /^@m2msec\/mn-cse$/, replacement: new URL('../apps/mn-cse/src/index.ts', import.meta.url).pathname },
      ],
    },
    test: {
      testTimeout: 120_000,
      hookTimeout: 300_000,
      fileParallelism: false,
    },
  }),
);
