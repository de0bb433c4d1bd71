// The data directory holds the keystore, the database and journals: created 0700, and narrowed to 0700 if it
// exists with wider permissions (docs/hardening.md, "Secrets at rest").
import { chmodSync, mkdirSync, statSync } from 'node:fs';

export function prepareDataDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if ((statSync(dir).mode & 0o077) !== 0) chmodSync(dir, 0o700);
}
