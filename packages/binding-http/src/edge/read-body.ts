// Reads a request body into memory within a limit. A declared Content-Length beyond the limit is
// refused before reading; a streamed body that grows past it stops being read (the connection closes
// after the answer, so the unread remainder is never parsed as a next request).
import type { IncomingMessage } from 'node:http';

export class BodyTooLarge extends Error {
  constructor(readonly limit: number) {
    super(`the body is too large (more than ${limit} bytes)`);
  }
}
export class BodyUnreadable extends Error {}

const EMPTY = new Uint8Array(0);

export function readEdgeBody(req: IncomingMessage, limit: number): Promise<Uint8Array> {
  const announces = req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined;
  if (!announces) return Promise.resolve(EMPTY); // RFC 9112 6.3: no body
  const declared = Number(req.headers['content-length'] ?? 0);
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(new BodyTooLarge(limit));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        req.off('data', onData);
        req.pause();
        reject(new BodyTooLarge(limit));
        return;
      }
      chunks.push(c);
    };
    req.on('data', onData);
    req.once('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    req.once('error', () => reject(new BodyUnreadable('the request body could not be read')));
    req.once('aborted', () => reject(new BodyUnreadable('the request body was not completed')));
  });
}

/**
 * Reads and discards what is left of a refused body (at most `maxBytes`, for at most `timeoutMs`) so the answer
 * reaches the client: closing a connection with unread bytes in its receive buffer makes the kernel reset it,
 * and a client still writing its body sees EPIPE instead of the 413. Beyond the bounds the connection is simply
 * closed after the answer: a client sending that much after a refusal gets no more of this server's time.
 */
export function discardBody(req: IncomingMessage, maxBytes: number, timeoutMs: number): Promise<void> {
  if (req.complete || req.destroyed) return Promise.resolve();
  const declared = Number(req.headers['content-length'] ?? 0);
  if (Number.isFinite(declared) && declared > maxBytes) return Promise.resolve();
  return new Promise((resolve) => {
    let seen = 0;
    const done = () => {
      clearTimeout(timer);
      req.off('data', onData);
      resolve();
    };
    const onData = (c: Buffer) => {
      seen += c.length;
      if (seen > maxBytes) done();
    };
    const timer = setTimeout(done, timeoutMs);
    timer.unref();
    req.on('data', onData);
    req.once('end', done);
    req.once('close', done);
    req.once('error', done);
    req.resume();
  });
}
