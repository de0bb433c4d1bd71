// Where the software SE's key-encryption key (KEK) comes from (docs/hardening.md, "Secrets at rest"). A KEK
// beside the keystore it protects protects nothing against whoever copies the data directory (a backup, a
// volume snapshot), so it comes from, in this order:
//   1. an environment variable (default M2MSEC_KEK: 64 hex digits or base64 of 32 bytes), removed from
//      process.env once read so child processes and diagnostics do not inherit it;
//   2. a key file outside the data directory (created 0600 on first start if absent);
//   3. only where allowed (the development profile or an explicit opt-in): <dataDir>/keystore.key.
// Every key file must be readable by its owner only.
import { existsSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { createKeyFile } from '../software/kek.js';
import { checkSecretFileMode, SecretAtRestError } from './secret-file.js';

export type KekSource =
  | { kind: 'env'; kek: Uint8Array; variable: string }
  | { kind: 'file'; keyFile: string; insideDataDir: boolean };

export interface ResolveKekOptions {
  dataDir: string;
  /** Configured key file, if any. */
  keyFile?: string;
  /** Whether a key file inside the data directory is acceptable (development only). */
  allowInsideDataDir: boolean;
  /** Where the environment variable is read and then deleted; default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Default 'M2MSEC_KEK'. */
  variable?: string;
  /** Default 'keystore.key' (the name used before KEKs moved out of the data directory). */
  defaultFileName?: string;
}

/** True when `path` is `dir` or below it (after resolving both). */
export function isInside(dir: string, path: string): boolean {
  const r = relative(resolve(dir), resolve(path));
  return r === '' || (!r.startsWith('..') && !isAbsolute(r));
}

function parseKek(text: string, variable: string): Uint8Array {
  const t = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(t)) return Buffer.from(t, 'hex');
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(t)) {
    const b = Buffer.from(t.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    if (b.length === 32) return b;
  }
  throw new SecretAtRestError(`${variable} must hold a 32-byte key as 64 hex digits or base64`);
}

export function resolveKekSource(o: ResolveKekOptions): KekSource {
  const env = o.env ?? process.env;
  const variable = o.variable ?? 'M2MSEC_KEK';
  const fromEnv = env[variable];
  if (fromEnv !== undefined && fromEnv !== '') {
    delete env[variable];
    if (o.keyFile !== undefined) {
      throw new SecretAtRestError(`both ${variable} and a KEK file (${o.keyFile}) are given: use one`);
    }
    return { kind: 'env', kek: parseKek(fromEnv, variable), variable };
  }
  const keyFile = resolve(o.keyFile ?? join(o.dataDir, o.defaultFileName ?? 'keystore.key'));
  const insideDataDir = isInside(o.dataDir, keyFile);
  if (insideDataDir && !o.allowInsideDataDir) {
    throw new SecretAtRestError(
      `the key-encryption key ${keyFile} is inside the data directory ${resolve(o.dataDir)}, which it is meant to ` +
        `protect: move it elsewhere and name it in the configuration (security.keyFile / M2MSEC_KEK_FILE), or set ` +
        `${variable}, or opt in for development only`,
    );
  }
  if (!existsSync(keyFile)) createKeyFile(keyFile);
  checkSecretFileMode(keyFile, 'key-encryption key file');
  return { kind: 'file', keyFile, insideDataDir };
}
