// The data directory holds the keystore, the database and journals: created 0700, and narrowed to 0700 if it
// exists with wider permissions (docs/hardening.md, "Secrets at rest"). An unusable path fails fast with a
// message naming it and what to do (issue 19 item 4): Node's recursive mkdir spins forever on some paths
// (under /proc it keeps getting ENOENT), so missing components are made one at a time here.
import { accessSync, chmodSync, constants, mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

export class DataDirError extends Error {
  override readonly name = 'DataDirError';
}

const hint = 'set M2MSEC_DATA_DIR (or dataDir in the configuration) to a writable directory';

function fail(dir: string, why: string): never {
  throw new DataDirError(`data directory '${dir}' ${why}: ${hint}`);
}

export function prepareDataDir(dir: string): void {
  const target = resolve(dir);
  const missing: string[] = [];
  let at = target;
  for (;;) {
    let st: ReturnType<typeof statSync> | undefined;
    try {
      st = statSync(at);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') fail(target, `cannot be inspected (${code} at '${at}')`);
    }
    if (st) {
      if (!st.isDirectory()) fail(target, `cannot be created: '${at}' is not a directory`);
      break;
    }
    missing.unshift(at);
    const up = dirname(at);
    if (up === at) fail(target, 'has no existing parent');
    at = up;
  }
  for (const d of missing) {
    try {
      mkdirSync(d, { mode: 0o700 });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST') fail(target, `cannot be created (${code} at '${d}')`);
    }
  }
  try {
    accessSync(target, constants.R_OK | constants.W_OK | constants.X_OK);
  } catch (e) {
    fail(target, `is not writable (${(e as NodeJS.ErrnoException).code})`);
  }
  if ((statSync(target).mode & 0o077) !== 0) chmodSync(target, 0o700);
}
