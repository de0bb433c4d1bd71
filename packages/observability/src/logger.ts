// One logger per process: pino, JSON lines by default (machines read them), pretty-printed when the
// output is a terminal (people read them). Redaction is a last line of defence for fields that could
// carry a secret if a caller ever passed one; the code never logs key material in the first place.
import { type DestinationStream, type Logger, pino } from 'pino';
import pretty from 'pino-pretty';

export type { Logger } from 'pino';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface LoggerOptions {
  /** The program ('in-cse', 'mef', ...), a field of every line. */
  app: string;
  level?: LogLevel;
  /** 'auto' (default): pretty when the destination is a terminal. */
  format?: 'json' | 'pretty' | 'auto';
  /** A file to append the lines to instead of standard output. */
  file?: string;
  /** Fields of every line (e.g. the CSE-ID). */
  base?: Record<string, unknown>;
  /** An explicit destination (tests). */
  destination?: DestinationStream;
}

/** Field paths whose values are replaced before a line is written, wherever a caller put them. */
export const REDACTED_PATHS = [
  'key',
  'kek',
  'psk',
  'secret',
  'password',
  'passphrase',
  'token',
  '*.key',
  '*.kek',
  '*.psk',
  '*.secret',
  '*.password',
  '*.passphrase',
  '*.token',
];

export function createLogger(o: LoggerOptions): Logger {
  const options = {
    level: o.level ?? 'info',
    base: { app: o.app, ...o.base },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
  };
  if (o.destination) return pino(options, o.destination);
  // Standard output stays synchronous (a line is out before the process can exit, as tests and supervisors
  // expect); a file is written asynchronously (lines queued while a write is in flight go out together,
  // flushed on exit), so logging keeps off the hot path without holding a line back.
  const stream: DestinationStream = o.file
    ? pino.destination({ dest: o.file, sync: false, append: true, mode: 0o600 })
    : pino.destination({ fd: 1, sync: true });
  const isTty = !o.file && process.stdout.isTTY === true;
  const usePretty = o.format === 'pretty' || (o.format !== 'json' && isTty);
  if (usePretty) return pino(options, pretty({ colorize: isTty, destination: o.file ? stream : 1 }));
  return pino(options, stream);
}
