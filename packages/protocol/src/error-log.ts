// The one log line of a failure (docs/errors.md): the code the client got and a one-line description of
// the cause, escaped and bounded. Never a stack trace (pino's error serializer would add one if given the
// Error object, so only these strings are logged) and never request input: an unanticipated error's own
// message may quote what it choked on (V8's JSON.parse excerpt, a driver echoing a row), so quoted text and
// anything from the first '{' or '[' on is cut from it.
import { escapeControl, jsonSyntaxReason } from './content/json-limits.js';
import { clientErrorOf, isM2msecError } from './error.js';

const QUOTED = /"(?:[^"\\]|\\.)*"?|'(?:[^'\\]|\\.)*'?|`[^`]*`?/g;

/** The message of an error nobody wrote for clients, without the values it may quote. */
function scrub(message: string): string {
  const open = message.search(/[{[]/);
  const head = open < 0 ? message : `${message.slice(0, open)}…`;
  return head.replace(QUOTED, '…');
}

/** An error's own code when it is an identifier (SQLITE_BUSY, ECONNRESET, 23505), never free text. */
function ownCode(err: Error): string | undefined {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && /^[A-Za-z0-9_.-]{1,40}$/.test(code) ? code : undefined;
}

/** A one-line, escaped description of an error for a log: name, code and message without input excerpts. */
export function describeErrorForLog(err: unknown): string {
  if (!(err instanceof Error)) return escapeControl(typeof err === 'string' ? scrub(err) : typeof err, 120);
  const code = ownCode(err);
  const head = `${err.name}${code === undefined ? '' : ` ${code}`}`;
  // An M2msecError's message is written for clients (it is what the client got); anything else is scrubbed.
  const reason = isM2msecError(err) ? err.message : scrub(jsonSyntaxReason(err));
  return escapeControl(`${head}: ${reason}`, 200);
}

/** Fields of a log line about `e`: `code` is what the client was told (INTERNAL for the unanticipated). */
export function errorLogFields(e: unknown): { code: string; rsc: number; error: string } {
  const c = clientErrorOf(e);
  return { code: c.code, rsc: c.rsc, error: describeErrorForLog(e) };
}
