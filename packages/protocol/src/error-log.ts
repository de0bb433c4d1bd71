// The one log line of a failure (docs/errors.md): the code the client got and a one-line description of
// the cause, escaped and bounded. Never a stack trace (pino's error serializer would add one if given the
// Error object, so only these strings are logged) and never the request body or a JSON.parse excerpt of it.
import { escapeControl, jsonSyntaxReason } from './content/json-limits.js';
import { clientErrorOf } from './error.js';

/** A one-line, escaped description of an error for a log: name, code and message without input excerpts. */
export function describeErrorForLog(err: unknown): string {
  if (!(err instanceof Error)) return escapeControl(typeof err === 'string' ? err : typeof err, 120);
  const code = (err as { code?: unknown }).code;
  const head = `${err.name}${typeof code === 'string' ? ` ${code}` : ''}`;
  return escapeControl(`${head}: ${jsonSyntaxReason(err)}`, 200);
}

/** Fields of a log line about `e`: `code` is what the client was told (INTERNAL for the unanticipated). */
export function errorLogFields(e: unknown): { code: string; rsc: number; error: string } {
  const c = clientErrorOf(e);
  return { code: c.code, rsc: c.rsc, error: describeErrorForLog(e) };
}
