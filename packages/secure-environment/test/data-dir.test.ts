// prepareDataDir fails fast, naming the path and what to do, where Node's recursive mkdir would spin
// (/proc) or a file stands in the way; it creates missing levels 0700 and narrows a wide directory.
import { chmodSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataDirError, prepareDataDir } from '../src/index.js';

describe('prepareDataDir', () => {
  it('refuses /proc/x at once with the path and a hint', () => {
    expect(() => prepareDataDir('/proc/x/y')).toThrow(DataDirError);
    expect(() => prepareDataDir('/proc/x/y')).toThrow(
      /data directory '\/proc\/x\/y' cannot be created \(ENOENT at '\/proc\/x'\): set M2MSEC_DATA_DIR/,
    );
  });

  it('refuses a path under a file', () => {
    const f = join(mkdtempSync(join(tmpdir(), 'm2msec-dd-')), 'file');
    writeFileSync(f, '');
    expect(() => prepareDataDir(join(f, 'data'))).toThrow(/is not a directory/);
  });

  it('creates missing levels 0700 and narrows an existing wide directory', () => {
    const root = mkdtempSync(join(tmpdir(), 'm2msec-dd-'));
    const d = join(root, 'a', 'b');
    prepareDataDir(d);
    expect(statSync(d).mode & 0o777).toBe(0o700);
    chmodSync(d, 0o755);
    prepareDataDir(d);
    expect(statSync(d).mode & 0o777).toBe(0o700);
  });
});
