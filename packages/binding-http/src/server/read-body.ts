// Reads the raw message-body with a size limit (body-parser's raw reader, no decompression) and turns
// its failures into oneM2M errors; TS-0009 has no rule for oversized bodies, so they are 4000 (HTTP 400).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { M2MError, ResponseStatusCode } from '@m2msec/protocol';
import express from 'express';

export type BodyReader = (req: IncomingMessage, res: ServerResponse) => Promise<Uint8Array | undefined>;

/** Marks a request whose body stream failed because the client went away: nothing to answer. */
export class ClientAborted extends Error {}

export function bodyReader(maxBodyBytes: number): BodyReader {
  const raw = express.raw({ type: () => true, limit: maxBodyBytes, inflate: false });
  return (req, res) =>
    new Promise((resolve, reject) => {
      const r = req as IncomingMessage & { body?: unknown };
      const announcesBody =
        req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined;
      if (!announcesBody) {
        // No Content-Length and no Transfer-Encoding: the message has no body (RFC 9112 6.3).
        resolve(undefined);
        return;
      }
      const consumed = req.readableEnded || (r.body !== undefined && !Buffer.isBuffer(r.body));
      if (announcesBody && consumed && !Buffer.isBuffer(r.body)) {
        // A parser mounted before this router consumed the stream: the original bytes are gone.
        reject(new Error('request body was consumed by a body parser mounted before the oneM2M binding'));
        return;
      }
      raw(req as express.Request, res as express.Response, (err?: unknown) => {
        if (err === undefined || err === null) {
          resolve(Buffer.isBuffer(r.body) ? r.body : undefined);
          return;
        }
        const type = (err as { type?: string }).type;
        if (type === 'entity.too.large') {
          reject(
            new M2MError(ResponseStatusCode.BAD_REQUEST, `request body exceeds the limit of ${maxBodyBytes} bytes`),
          );
        } else if (type === 'encoding.unsupported') {
          reject(new M2MError(ResponseStatusCode.UNSUPPORTED_MEDIA_TYPE, 'Content-Encoding is not supported'));
        } else if (type === 'request.aborted') {
          reject(new ClientAborted('client aborted the request body'));
        } else if (type === 'request.size.invalid') {
          reject(new M2MError(ResponseStatusCode.BAD_REQUEST, 'request body length does not match Content-Length'));
        } else {
          reject(new M2MError(ResponseStatusCode.BAD_REQUEST, 'request body could not be read'));
        }
      });
    });
}
