// Starts the built IN-CSE as its own process and talks to it over HTTP, as a user would
// (the starter lives in @m2msec/test-support, shared with the conformance suite).
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type InCseProcess, startInCseProcess } from '@m2msec/test-support';

export { freePort, type InCseProcess, type M2MResponse, m2m, pgUrl } from '@m2msec/test-support';

const main = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'main.js');

export interface StartOptions {
  store: 'sqlite' | 'postgres';
  dataDir?: string;
  port?: number;
  pgSchema?: string;
  env?: Record<string, string>;
  nodeArgs?: string[];
}

export function startInCse(o: StartOptions): Promise<InCseProcess> {
  return startInCseProcess({ main, ...o });
}
