import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readdirSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

const tmpMarker = '.tmp-';

/**
 * Replace `path` so that a crash at any point leaves either the old or the new content:
 * write a temporary sibling, fsync it, rename over the target, fsync the directory.
 */
export function writeFileAtomic(path: string, data: Uint8Array): void {
  const tmp = `${path}${tmpMarker}${process.pid}-${randomBytes(6).toString('hex')}`;
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    let off = 0;
    while (off < data.byteLength) off += writeSync(fd, data, off, data.byteLength - off);
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    try {
      unlinkSync(tmp);
    } catch {}
    throw err;
  }
  closeSync(fd);
  renameSync(tmp, path);
  const dirFd = openSync(dirname(path), 'r');
  try {
    fsyncSync(dirFd);
  } finally {
    closeSync(dirFd);
  }
}

/** Remove temporaries a crashed writer left behind (they never replaced the target). */
export function removeStaleTemporaries(path: string): void {
  const prefix = `${basename(path)}${tmpMarker}`;
  for (const name of readdirSync(dirname(path))) {
    if (name.startsWith(prefix)) {
      try {
        unlinkSync(join(dirname(path), name));
      } catch {}
    }
  }
}
