import { defineConfig } from 'vitest/config';
import shared from '../../vitest.shared.js';

// The shared config lists 'import' among the resolve conditions, which vitest also hands to Node for
// externalized CommonJS dependencies: pg's require('pg-pool') then got pg-pool's ESM entry and failed
// ("Class extends value [object Module]"). Same settings otherwise, without 'import'.
const conditions = ['source', 'node', 'default'];
export default defineConfig({
  ...shared,
  resolve: { ...shared.resolve, conditions },
  ssr: { ...shared.ssr, resolve: { ...shared.ssr?.resolve, conditions } },
});
