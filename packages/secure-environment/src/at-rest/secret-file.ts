// Secret files at rest (docs/hardening.md, "Secrets at rest"): a key-encryption key, a private key or a PSK
// file that its group or other users can read is a leak waiting to be copied, so a process refuses to start
// on one, naming the file and the fix. Secrets are read from files or stdin, never from argv (visible to
// every local user in ps and kept in shell history).
import { readFileSync, statSync } from 'node:fs';

/** A secret-handling refusal a person can act on (the message names the file and the fix, never key bytes). */
export class SecretAtRestError extends Error {
  override readonly name = 'SecretAtRestError';
}

/** Refuses a secret file that is missing, not a regular file, or readable/writable by group or others. */
export function checkSecretFileMode(path: string, what: string): void {
  let st: ReturnType<typeof statSync>;
  try {
    st = statSync(path);
  } catch (e) {
    throw new SecretAtRestError(`${what} ${path} cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  if (!st.isFile()) throw new SecretAtRestError(`${what} ${path} is not a regular file`);
  const mode = Number(st.mode) & 0o777;
  if ((mode & 0o077) !== 0) {
    throw new SecretAtRestError(
      `${what} ${path} is accessible to group or others (mode ${mode.toString(8).padStart(4, '0')}); ` +
        `restrict it to its owner: chmod 600 ${path}`,
    );
  }
}

/** Reads a secret from a file (mode checked first) or, for '-', from stdin. */
export function readSecretSource(source: string, what: string): Buffer {
  if (source === '-') return readFileSync(0);
  checkSecretFileMode(source, what);
  return readFileSync(source);
}

/** Reads a hex-encoded key of 16 to 64 bytes from a file or stdin ('-'). */
export function readHexKeySource(source: string, what: string, minBytes = 16, maxBytes = 64): Buffer {
  const raw = readSecretSource(source, what);
  const text = raw.toString('utf8').trim();
  raw.fill(0);
  const re = new RegExp(`^([0-9a-fA-F]{2}){${minBytes},${maxBytes}}$`);
  if (!re.test(text)) throw new SecretAtRestError(`${what} must hold ${minBytes} to ${maxBytes} bytes of hex`);
  return Buffer.from(text, 'hex');
}

/**
 * The refusal for a command-line option that used to carry a key in argv: says what to use instead.
 * `replacement` is the option that reads a file or stdin, e.g. '--key-file'.
 */
export function keyInArgvRefused(option: string, replacement: string): SecretAtRestError {
  return new SecretAtRestError(
    `${option} is no longer accepted: a key on the command line is visible to every local user (ps) and kept in ` +
      `shell history; use ${replacement} <file> (mode 0600) or ${replacement} - to read it from stdin`,
  );
}
