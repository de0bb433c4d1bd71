// multipart/mixed reader for the /serverkeygen answer (RFC 7030 4.4.2, RFC 2046 5.1).
import { EstClientError } from '../errors.js';

export interface MimePart {
  readonly contentType: string;
  readonly body: Buffer;
}

export function parseMultipart(contentType: string, body: Buffer): MimePart[] {
  const m = /^multipart\/mixed\s*;.*\bboundary="?([^";]+)"?/i.exec(contentType);
  if (!m) throw new EstClientError(200, 'serverkeygen answer is not multipart/mixed');
  const text = body.toString('latin1');
  const delimiter = `--${m[1]}`;
  const sections = text.split(delimiter);
  const parts: MimePart[] = [];
  for (const s of sections.slice(1)) {
    if (s.startsWith('--')) break;
    const sep = s.indexOf('\r\n\r\n');
    if (sep < 0) throw new EstClientError(200, 'malformed multipart part');
    const headers = s.slice(0, sep).split('\r\n');
    const ct = headers.find((h) => /^content-type:/i.test(h))?.replace(/^content-type:\s*/i, '') ?? '';
    parts.push({ contentType: ct.toLowerCase(), body: Buffer.from(s.slice(sep + 4), 'latin1') });
  }
  return parts;
}
