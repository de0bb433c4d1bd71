// Each file starts the IN-CSE twice (SQLite, PostgreSQL); files run one after another so the two
// cores of the CI machine are not oversubscribed. The JSON report feeds scripts/table.mjs.
import { defineConfig, mergeConfig } from 'vitest/config';
import shared from '../vitest.shared.js';

export default mergeConfig(
  shared,
  defineConfig({
    test: {
      testTimeout: 30_000,
      hookTimeout: 60_000,
      fileParallelism: false,
    },
  }),
);
