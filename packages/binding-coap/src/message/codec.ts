// RFC 7252 clause 3: the CoAP message format. Written here (not taken from a library) because it is the
// first parser every unauthenticated-after-DTLS byte meets: it must refuse every malformed message with a
// precise reason and never throw anything else (see the fuzz test).

export enum CoapType {
  CON = 0,
  NON = 1,
  ACK = 2,
  RST = 3,
}

export interface CoapOption {
  number: number;
  value: Buffer;
}

export interface CoapMessage {
  type: CoapType;
  /** class << 5 | detail (RFC 7252 3: c.dd). */
  code: number;
  messageId: number;
  token: Buffer;
  /** In ascending option-number order, repeated options in the order received. */
  options: CoapOption[];
  payload: Buffer;
}

/** A message that is not well-formed CoAP (RFC 7252 3: "message format error"). */
export class CoapFormatError extends Error {
  override readonly name = 'CoapFormatError';
}

const fail = (why: string): never => {
  throw new CoapFormatError(why);
};

function extended(buf: Buffer, at: number, nibble: number, what: string): [value: number, next: number] {
  if (nibble < 13) return [nibble, at];
  if (nibble === 13) {
    if (at + 1 > buf.length) fail(`truncated option ${what}`);
    return [buf[at]! + 13, at + 1];
  }
  if (nibble === 14) {
    if (at + 2 > buf.length) fail(`truncated option ${what}`);
    return [buf.readUInt16BE(at) + 269, at + 2];
  }
  return fail(`reserved option ${what} nibble 15`);
}

/** Parses one CoAP message; throws CoapFormatError (only) on malformed input. */
export function parseCoap(buf: Buffer): CoapMessage {
  if (buf.length < 4) fail('message shorter than the 4-byte header');
  const b0 = buf[0]!;
  if (b0 >> 6 !== 1) fail(`unsupported CoAP version ${b0 >> 6}`);
  const type = ((b0 >> 4) & 3) as CoapType;
  const tkl = b0 & 0x0f;
  if (tkl > 8) fail(`token length ${tkl} is reserved`);
  const code = buf[1]!;
  const messageId = buf.readUInt16BE(2);
  if (4 + tkl > buf.length) fail('truncated token');
  const token = Buffer.from(buf.subarray(4, 4 + tkl));
  const options: CoapOption[] = [];
  let at = 4 + tkl;
  let number = 0;
  let payload = Buffer.alloc(0);
  while (at < buf.length) {
    const head = buf[at]!;
    at++;
    if (head === 0xff) {
      if (at >= buf.length) fail('payload marker followed by an empty payload');
      payload = Buffer.from(buf.subarray(at));
      break;
    }
    let delta: number;
    let length: number;
    [delta, at] = extended(buf, at, head >> 4, 'delta');
    [length, at] = extended(buf, at, head & 0x0f, 'length');
    number += delta;
    if (number > 0xffff) fail('option number beyond 65535');
    if (at + length > buf.length) fail(`truncated value of option ${number}`);
    options.push({ number, value: Buffer.from(buf.subarray(at, at + length)) });
    at += length;
  }
  if (code === 0 && (tkl !== 0 || options.length > 0 || payload.length > 0)) fail('empty message with content');
  return { type, code, messageId, token, options, payload };
}

function nibble(v: number): [nibble: number, ext: Buffer] {
  if (v < 13) return [v, Buffer.alloc(0)];
  if (v < 269) return [13, Buffer.from([v - 13])];
  const e = Buffer.alloc(2);
  e.writeUInt16BE(v - 269);
  return [14, e];
}

/** Serialises a message; options are sorted by number (stable for repeated options). */
export function serializeCoap(msg: CoapMessage): Buffer {
  if (msg.token.length > 8) throw new RangeError('token longer than 8 bytes');
  const head = Buffer.alloc(4);
  head[0] = (1 << 6) | (msg.type << 4) | msg.token.length;
  head[1] = msg.code;
  head.writeUInt16BE(msg.messageId & 0xffff, 2);
  const parts: Buffer[] = [head, msg.token];
  const sorted = [...msg.options].sort((a, b) => a.number - b.number);
  let last = 0;
  for (const o of sorted) {
    const [dn, dext] = nibble(o.number - last);
    const [ln, lext] = nibble(o.value.length);
    if (o.value.length > 65535 + 269) throw new RangeError('option value too long');
    parts.push(Buffer.from([(dn << 4) | ln]), dext, lext, o.value);
    last = o.number;
  }
  if (msg.payload.length > 0) parts.push(Buffer.from([0xff]), msg.payload);
  return Buffer.concat(parts);
}

/** Code helpers: 'c.dd' <-> byte. */
export const coapCode = (cls: number, detail: number): number => (cls << 5) | detail;
export const codeClass = (code: number): number => code >> 5;
export const showCode = (code: number): string => `${code >> 5}.${String(code & 0x1f).padStart(2, '0')}`;
