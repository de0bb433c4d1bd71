// One CoAP endpoint per DTLS session (RFC 7252 4, RFC 7959): message layer (CON/NON, piggybacked ACKs,
// duplicate detection, RST for what cannot be processed) and block-wise transfer around the request
// handler. Every failure becomes a CoAP response with the oneM2M-RSC option; nothing throws out of here.
import {
  type HandlerResponse,
  INTERNAL_MESSAGE,
  isM2msecError,
  type RequestHandler,
  ResponseStatusCode,
  type TransportContext,
} from '@m2msec/protocol';
import { blockSize, encodeBlock, parseBlock, szxFor } from '../message/block.js';
import { type CoapMessage, type CoapOption, CoapType, coapCode, parseCoap, serializeCoap } from '../message/codec.js';
import { decodeUint, encodeUint, isCritical, Opt } from '../message/options.js';
import { decodeCoapRequest } from '../request/decode-request.js';
import { encodeCoapResponse } from '../response/encode-response.js';
import { BoundedCache, EXCHANGE_LIFETIME_MS } from './exchange-cache.js';

export interface CoapEndpointOptions {
  handler: RequestHandler;
  transport: TransportContext;
  send: (datagram: Buffer) => void;
  /** Largest block this endpoint sends (16..1024, RFC 7959); bodies above it go block-wise. */
  blockSize?: number;
  /** Largest request body reassembled from Block1 blocks (4.13 above it). */
  maxRequestBody?: number;
  onError?: (e: unknown) => void;
  /**
   * 'oneM2M' (default): responses carry oneM2M-RSC, oneM2M-RQI... (TS-0008 6.2.2.4, 6.2.4). 'coap-only':
   * without them, for plain CoAP clients that drop responses with unknown critical options.
   */
  responseOptions?: 'oneM2M' | 'coap-only';
}

/** Options this binding understands; an unknown critical option is refused with 4.02 (RFC 7252 5.4.1). */
const KNOWN = new Set<number>([
  Opt.uriHost,
  Opt.uriPort,
  Opt.uriPath,
  Opt.uriQuery,
  Opt.contentFormat,
  Opt.accept,
  Opt.block1,
  Opt.block2,
  Opt.size1,
  Opt.size2,
  Opt.oneM2mOT,
  Opt.oneM2mRTURI,
  Opt.oneM2mTY,
  Opt.oneM2mRVI,
  Opt.oneM2mASRI,
  Opt.oneM2mFR,
  Opt.oneM2mRQI,
  Opt.oneM2mRQET,
  Opt.oneM2mRSET,
  Opt.oneM2mOET,
  Opt.oneM2mEC,
  Opt.oneM2mRSC,
  Opt.oneM2mGID,
  Opt.oneM2mCTO,
  Opt.oneM2mCTS,
  Opt.oneM2mATI,
  Opt.oneM2mVSI,
  Opt.oneM2mGTM,
  Opt.oneM2mAUS,
]);

interface Reply {
  code: number;
  options: CoapOption[];
  payload: Buffer;
}

const c = coapCode;

function errorReply(code: number, rsc: number, message: string): Reply {
  return {
    code,
    options: [
      { number: Opt.oneM2mRSC, value: encodeUint(rsc) },
      { number: Opt.contentFormat, value: encodeUint(50) },
    ],
    payload: Buffer.from(JSON.stringify({ 'm2m:dbg': message })),
  };
}

/** The key that ties blocks of one body together: method and every option but the block ones. */
function bodyKey(msg: CoapMessage): string {
  const parts = [String(msg.code)];
  for (const o of msg.options) {
    if (o.number === Opt.block1 || o.number === Opt.block2 || o.number === Opt.size1 || o.number === Opt.size2)
      continue;
    if (o.number === 292) continue; // Request-Tag (RFC 9175) differs per body, not per resource
    parts.push(`${o.number}=${o.value.toString('hex')}`);
  }
  return parts.join('|');
}

export class CoapEndpoint {
  private readonly responses = new BoundedCache<Buffer | 'pending'>(512, EXCHANGE_LIFETIME_MS);
  private readonly uploads = new BoundedCache<{ parts: Buffer[]; size: number }>(8, 60_000);
  private readonly downloads = new BoundedCache<Reply>(8, 60_000);
  private readonly maxBlock: number;
  private readonly maxBody: number;
  private readonly coapOnly: boolean;
  readonly stats = { duplicates: 0, malformed: 0, requests: 0 };

  constructor(private readonly opts: CoapEndpointOptions) {
    this.maxBlock = Math.min(1024, Math.max(16, opts.blockSize ?? 1024));
    this.maxBody = opts.maxRequestBody ?? 1 << 20;
    this.coapOnly = opts.responseOptions === 'coap-only';
  }

  /** One decrypted datagram from the peer. */
  receive(datagram: Buffer): void {
    let msg: CoapMessage;
    try {
      msg = parseCoap(datagram);
    } catch {
      this.stats.malformed++;
      // RFC 7252 4.2 / 4.3: a malformed CON or NON is rejected with RST when its Message ID can be read.
      if (datagram.length >= 4 && datagram[0]! >> 6 === 1 && ((datagram[0]! >> 4) & 3) < 2)
        this.reset(datagram.readUInt16BE(2));
      return;
    }
    if (msg.type === CoapType.ACK || msg.type === CoapType.RST) return; // this server sends no CON
    if (msg.code === 0) {
      if (msg.type === CoapType.CON) this.reset(msg.messageId); // CoAP ping (4.3)
      return;
    }
    if (msg.code >> 5 !== 0) {
      if (msg.type === CoapType.CON) this.reset(msg.messageId); // a response we did not ask for
      return;
    }
    const key = `${msg.type}:${msg.messageId}`;
    const seen = this.responses.get(key);
    if (seen !== undefined) {
      this.stats.duplicates++;
      if (seen !== 'pending') this.opts.send(seen); // same response, handler not run again (4.5)
      return;
    }
    this.responses.set(key, 'pending');
    this.stats.requests++;
    void this.process(msg).then(
      (reply) => this.respond(msg, key, reply),
      (e) => {
        this.opts.onError?.(e);
        this.respond(msg, key, errorReply(c(5, 0), ResponseStatusCode.INTERNAL_SERVER_ERROR, INTERNAL_MESSAGE));
      },
    );
  }

  private reset(messageId: number): void {
    this.opts.send(
      serializeCoap({
        type: CoapType.RST,
        code: 0,
        messageId,
        token: Buffer.alloc(0),
        options: [],
        payload: Buffer.alloc(0),
      }),
    );
  }

  private respond(req: CoapMessage, key: string, reply: Reply): void {
    if (this.coapOnly) reply.options = reply.options.filter((o) => o.number < 256);
    const out = serializeCoap({
      type: req.type === CoapType.CON ? CoapType.ACK : CoapType.NON,
      code: reply.code,
      messageId: req.type === CoapType.CON ? req.messageId : (Math.random() * 0x10000) | 0,
      token: req.token,
      options: reply.options,
      payload: reply.payload,
    });
    this.responses.set(key, out);
    try {
      this.opts.send(out);
    } catch (e) {
      this.opts.onError?.(e);
    }
  }

  private async process(msg: CoapMessage): Promise<Reply> {
    for (const o of msg.options) {
      if (isCritical(o.number) && !KNOWN.has(o.number))
        return errorReply(c(4, 2), ResponseStatusCode.BAD_REQUEST, `unrecognised critical option ${o.number}`);
    }
    const one = (n: number) => msg.options.find((o) => o.number === n)?.value;
    const b1raw = one(Opt.block1);
    const b2raw = one(Opt.block2);
    const b1 = b1raw === undefined ? undefined : parseBlock(b1raw);
    const b2 = b2raw === undefined ? undefined : parseBlock(b2raw);
    if ((b1raw !== undefined && b1 === undefined) || (b2raw !== undefined && b2 === undefined))
      return errorReply(c(4, 0), ResponseStatusCode.BAD_REQUEST, 'malformed Block option');
    const key = bodyKey(msg);
    let payload = msg.payload;
    const extra: CoapOption[] = [];

    if (b1 !== undefined) {
      // RFC 7959 2.5: Block1 reassembly, blocks in order, atomic on the last one.
      const size = blockSize(b1.szx);
      if (b1.more && msg.payload.length !== size)
        return errorReply(
          c(4, 0),
          ResponseStatusCode.BAD_REQUEST,
          'a Block1 block with M=1 must be exactly the block size',
        );
      let upload = this.uploads.get(key);
      if (b1.num === 0) upload = { parts: [], size: 0 };
      if (upload === undefined || upload.size !== b1.num * size) {
        this.uploads.delete(key);
        return errorReply(
          c(4, 8),
          ResponseStatusCode.BAD_REQUEST,
          'Block1 block out of sequence (Request Entity Incomplete)',
        );
      }
      if (upload.size + msg.payload.length > this.maxBody) {
        this.uploads.delete(key);
        const r = errorReply(
          c(4, 13),
          ResponseStatusCode.BAD_REQUEST,
          `request body larger than ${this.maxBody} bytes`,
        );
        r.options.push({ number: Opt.size1, value: encodeUint(this.maxBody) });
        return r;
      }
      upload.parts.push(msg.payload);
      upload.size += msg.payload.length;
      if (b1.more) {
        this.uploads.set(key, upload);
        return { code: c(2, 31), options: [{ number: Opt.block1, value: encodeBlock(b1) }], payload: Buffer.alloc(0) };
      }
      this.uploads.delete(key);
      payload = Buffer.concat(upload.parts);
      extra.push({ number: Opt.block1, value: encodeBlock(b1) });
    }

    if (b2 !== undefined && b2.num > 0) {
      // RFC 7959 2.4: a later block of a body already produced for this request.
      const body = this.downloads.get(key);
      if (body === undefined)
        return errorReply(
          c(4, 8),
          ResponseStatusCode.BAD_REQUEST,
          'no body in progress for this Block2 request; start at block 0',
        );
      return this.slice(body, b2.num, Math.min(blockSize(b2.szx), this.maxBlock), key);
    }

    const reply = await this.execute(msg, payload);
    reply.options.push(...extra);
    const limit = Math.min(b2 === undefined ? this.maxBlock : blockSize(b2.szx), this.maxBlock);
    if (reply.payload.length > limit) {
      this.downloads.set(key, reply);
      return this.slice(reply, 0, limit, key);
    }
    return reply;
  }

  private slice(body: Reply, num: number, size: number, key: string): Reply {
    const szx = szxFor(size);
    const bs = blockSize(szx);
    const start = num * bs;
    if (start >= body.payload.length)
      return errorReply(c(4, 2), ResponseStatusCode.BAD_REQUEST, 'Block2 number beyond the end of the body');
    const end = Math.min(start + bs, body.payload.length);
    const more = end < body.payload.length;
    if (!more) this.downloads.delete(key);
    const options = body.options.filter((o) => o.number !== Opt.block2);
    options.push({ number: Opt.block2, value: encodeBlock({ num, more, szx }) });
    if (num === 0) options.push({ number: Opt.size2, value: encodeUint(body.payload.length) });
    return { code: body.code, options, payload: body.payload.subarray(start, end) };
  }

  private async execute(msg: CoapMessage, payload: Buffer): Promise<Reply> {
    let op: number | undefined;
    let rqi: string | undefined;
    const accept = msg.options.find((o) => o.number === Opt.accept);
    try {
      const req = decodeCoapRequest(msg, payload);
      op = req.op;
      rqi = req.rqi;
      const rsp: HandlerResponse = await this.opts.handler(req, this.opts.transport);
      return encodeCoapResponse(rsp, req.op, {
        requestId: req.rqi,
        coapOnly: this.coapOnly,
        ...(accept === undefined ? {} : { accept: decodeUint(accept.value) }),
      });
    } catch (e) {
      if (isM2msecError(e)) {
        return encodeCoapResponse({ rsc: e.rsc, rqi: rqi ?? '', dbg: e.message } as HandlerResponse, op as never, {
          coapOnly: this.coapOnly,
          ...(rqi === undefined ? {} : { requestId: rqi }),
        });
      }
      throw e;
    }
  }
}
