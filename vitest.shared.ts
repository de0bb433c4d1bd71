// Shared vitest settings: resolve workspace packages to their TypeScript sources ("source"
// export condition) so unit tests need no prior build; processes the tests spawn use dist/.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['source', 'node', 'default'] },
  ssr: { resolve: { conditions: ['source', 'node', 'default'] } },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: process.env.M2MSEC_TEST_REPORT ? ['default', 'json'] : ['default'],
    outputFile: process.env.M2MSEC_TEST_REPORT
      ? { json: `${process.env.M2MSEC_TEST_REPORT}/${process.env.npm_package_name?.replace('/', '+')}.json` }
      : undefined,
  },
});
