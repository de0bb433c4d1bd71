import type { ServerResponse } from 'node:http';
import { headerDisplayName } from '../lib/headers.js';
import type { HttpResponseMessage } from '../response/encode-response.js';

/** Writes an encoded response; throws (nothing sent) when a header value has characters HTTP forbids. */
export function writeResponse(res: ServerResponse, msg: HttpResponseMessage, closeConnection = false): void {
  const headers: Record<string, string | number> = {};
  for (const [name, value] of Object.entries(msg.headers)) headers[headerDisplayName[name] ?? name] = value;
  const body = msg.body === undefined ? undefined : Buffer.from(msg.body, 'utf8');
  headers['Content-Length'] = body?.byteLength ?? 0;
  if (closeConnection) headers.Connection = 'close';
  // TS-0009 6.3.3: the Reason-Phrase is omitted.
  res.writeHead(msg.status, '', headers);
  res.end(body);
}
