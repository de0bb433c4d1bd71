// Scenario tests start real processes (built apps), mosquitto and use PostgreSQL: one file at a time,
// generous timeouts for a loaded 2-core machine.
import { defineConfig, mergeConfig } from 'vitest/config';
import shared from '../vitest.shared.js';

export default mergeConfig(
  shared,
  defineConfig({
    test: {
      testTimeout: 120_000,
      hookTimeout: 300_000,
      fileParallelism: false,
    },
  }),
);
