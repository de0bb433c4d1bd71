// Writes the material of docker topology (a) into a new directory and prints it (infra/docker/README.md):
//   pnpm --filter @m2msec/test-e2e exec tsx src/docker/write-lab.ts [parent-dir]
// Run as root: key files are handed to the containers' user (uid 10001).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { writeLab } from './lab.js';

const lab = writeLab(mkdtempSync(join(resolve(process.argv[2] ?? tmpdir()), 'm2msec-lab-')));
process.stdout.write(
  `${JSON.stringify({ M2MSEC_LAB: lab.dir, mefAdminTokenFile: join(lab.dir, 'mef', 'admin.token') })}\n`,
);
