// Framework-neutral HTTP answers of the BSF (the express routers only copy them out).
import type { GbaError } from '../lib/errors.js';

export interface HttpAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

const NO_STORE = { 'cache-control': 'no-store' };

export function textAnswer(status: number, message: string, headers: Record<string, string> = {}): HttpAnswer {
  return {
    status,
    headers: { ...NO_STORE, 'content-type': 'text/plain; charset=utf-8', ...headers },
    body: `${message}\n`,
  };
}

export function errorAnswer(e: GbaError, headers: Record<string, string> = {}): HttpAnswer {
  return textAnswer(e.status, e.message, headers);
}

export function bodyAnswer(
  status: number,
  contentType: string,
  body: string,
  headers: Record<string, string> = {},
): HttpAnswer {
  return { status, headers: { ...NO_STORE, 'content-type': contentType, ...headers }, body };
}
