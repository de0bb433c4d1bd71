// RequestSender for coaps:// points of access (TS-0008 over DTLS 1.2): one DTLS session per host and
// port, reused; confirmable requests retransmitted with RFC 7252 4.8 timing until the piggybacked
// ACK; block-wise both ways (RFC 7959) for bodies above the block size; the response primitive from
// the CoAP code and the oneM2M-RSC option (TS-0008 6.2.4).
import { randomBytes } from 'node:crypto';
import { type DtlsConnectOptions, type DtlsSession, dtlsConnect } from '@m2msec/dtls';
import {
  M2MError,
  type RequestPrimitive,
  type RequestSender,
  type ResponsePrimitive,
  ResponseStatusCode,
} from '@m2msec/protocol';
import { blockSize, encodeBlock, parseBlock, szxFor } from '../message/block.js';
import { type CoapMessage, type CoapOption, CoapType, parseCoap, serializeCoap } from '../message/codec.js';
import { decodeUint, Opt } from '../message/options.js';
import { encodeCoapRequest } from './encode-request.js';

export interface CoapsRequestSenderOptions {
  /** DTLS credentials: PSK, or a client certificate with the CA of the server. */
  dtls: Omit<DtlsConnectOptions, 'host' | 'port'>;
  timeoutMs?: number;
  /** Block size for requests and the size asked of responses (16..1024, default 1024). */
  blockSize?: number;
}

/** RFC 7252 4.8: ACK_TIMEOUT 2 s, ACK_RANDOM_FACTOR 1.5, MAX_RETRANSMIT 4. */
const ACK_TIMEOUT_MS = 2000;
const MAX_RETRANSMIT = 4;

interface Peer {
  session: DtlsSession;
  waiting: Map<string, (m: CoapMessage) => void>;
  nextMessageId: number;
}

/** Reverse of TS-0008 Table 6.2.4-1 when a response carries no oneM2M-RSC. */
function rscFromCode(code: number): number {
  const map: Record<number, number> = {
    65: 2001,
    66: 2002,
    68: 2004,
    69: 2000,
    128: 4000,
    131: 4103,
    132: 4004,
    133: 4005,
    134: 5207,
    143: 4015,
    160: 5000,
    161: 5001,
    164: 4008,
  };
  return map[code] ?? (code >> 5 === 2 ? 2000 : 5000);
}

export class CoapsRequestSender implements RequestSender {
  readonly schemes = ['coaps'] as const;
  private readonly peers = new Map<string, Promise<Peer>>();
  private readonly size: number;

  constructor(private readonly o: CoapsRequestSenderOptions) {
    this.size = blockSize(szxFor(o.blockSize ?? 1024));
  }

  async send(poa: string, req: RequestPrimitive, opts: { timeoutMs?: number } = {}): Promise<ResponsePrimitive> {
    const url = new URL(poa);
    if (url.protocol !== 'coaps:')
      throw new M2MError(ResponseStatusCode.BAD_REQUEST, `not a coaps point of access: ${poa}`);
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const port = url.port === '' ? 5684 : Number(url.port);
    const deadline = Date.now() + (opts.timeoutMs ?? this.o.timeoutMs ?? 30_000);
    let peer: Peer;
    try {
      peer = await this.peer(host, port);
    } catch (e) {
      throw new M2MError(ResponseStatusCode.TARGET_NOT_REACHABLE, `${poa} is not reachable (${(e as Error).message})`);
    }
    const { code, options, payload } = encodeCoapRequest(req);
    // Block1 (RFC 7959 2.5): the body in order, each block acknowledged with 2.31 before the next.
    let rsp: CoapMessage;
    if (payload.length > this.size) {
      const szx = szxFor(this.size);
      let num = 0;
      for (;;) {
        const part = payload.subarray(num * this.size, (num + 1) * this.size);
        const more = (num + 1) * this.size < payload.length;
        rsp = await this.exchange(
          peer,
          code,
          [...options, { number: Opt.block1, value: encodeBlock({ num, more, szx }) }],
          part,
          deadline,
        );
        if (!more || rsp.code !== 95) break; // 2.31 Continue
        num++;
      }
    } else {
      rsp = await this.exchange(peer, code, options, payload, deadline);
    }
    // Block2 (RFC 7959 2.4): fetch the remaining blocks of a large response.
    let body = rsp!.payload;
    let b2 = this.block2(rsp!);
    while (b2?.more) {
      const next = encodeBlock({ num: b2.num + 1, more: false, szx: b2.szx });
      const r = await this.exchange(
        peer,
        code === 1 ? 1 : code,
        [...options.filter((o) => o.number !== Opt.block1), { number: Opt.block2, value: next }],
        Buffer.alloc(0),
        deadline,
      );
      body = Buffer.concat([body, r.payload]);
      b2 = this.block2(r);
    }
    return this.decode(rsp!, body, req.rqi);
  }

  private block2(m: CoapMessage) {
    const v = m.options.find((o) => o.number === Opt.block2)?.value;
    return v === undefined ? undefined : parseBlock(v);
  }

  private decode(m: CoapMessage, body: Buffer, rqi: string): ResponsePrimitive {
    const opt = (n: number) => m.options.find((o) => o.number === n)?.value;
    const rscRaw = opt(Opt.oneM2mRSC);
    const rsp: ResponsePrimitive = {
      rsc: (rscRaw ? decodeUint(rscRaw) : rscFromCode(m.code)) as ResponseStatusCode,
      rqi,
    };
    const rqiOpt = opt(Opt.oneM2mRQI);
    if (rqiOpt) rsp.rqi = rqiOpt.toString('utf8');
    const rvi = opt(Opt.oneM2mRVI);
    if (rvi) rsp.rvi = rvi.toString('utf8');
    if (body.length > 0) {
      try {
        rsp.pc = JSON.parse(body.toString('utf8'));
      } catch {
        throw new M2MError(ResponseStatusCode.INTERNAL_SERVER_ERROR, 'response payload is not JSON');
      }
    }
    return rsp;
  }

  private exchange(
    peer: Peer,
    code: number,
    options: CoapOption[],
    payload: Buffer,
    deadline: number,
  ): Promise<CoapMessage> {
    const token = randomBytes(4);
    const messageId = peer.nextMessageId;
    peer.nextMessageId = (peer.nextMessageId + 1) & 0xffff;
    const datagram = serializeCoap({ type: CoapType.CON, code, messageId, token, options, payload });
    return new Promise((resolve, reject) => {
      let attempt = 0;
      let timer: NodeJS.Timeout | undefined;
      const key = token.toString('hex');
      const finish = (err?: Error, m?: CoapMessage) => {
        if (timer) clearTimeout(timer);
        peer.waiting.delete(key);
        if (err) reject(err);
        else resolve(m!);
      };
      peer.waiting.set(key, (m) => finish(undefined, m));
      let wait = ACK_TIMEOUT_MS * (1 + Math.random() * 0.5);
      const transmit = () => {
        if (Date.now() > deadline || attempt > MAX_RETRANSMIT)
          return finish(new M2MError(ResponseStatusCode.REQUEST_TIMEOUT, 'no CoAP response in time'));
        try {
          peer.session.send(datagram);
        } catch (e) {
          return finish(new M2MError(ResponseStatusCode.TARGET_NOT_REACHABLE, (e as Error).message));
        }
        attempt++;
        timer = setTimeout(transmit, Math.min(wait, Math.max(1, deadline - Date.now())));
        wait *= 2;
      };
      transmit();
    });
  }

  private peer(host: string, port: number): Promise<Peer> {
    const key = `${host}|${port}`;
    const existing = this.peers.get(key);
    if (existing) return existing;
    const p = dtlsConnect({ ...this.o.dtls, host, port }).then((session) => {
      const peer: Peer = { session, waiting: new Map(), nextMessageId: randomBytes(2).readUInt16BE() };
      session.onData = (d) => {
        let m: CoapMessage;
        try {
          m = parseCoap(d);
        } catch {
          return;
        }
        if (m.type === CoapType.CON) {
          // A separate response (RFC 7252 5.2.2) is acknowledged.
          session.send(
            serializeCoap({
              type: CoapType.ACK,
              code: 0,
              messageId: m.messageId,
              token: Buffer.alloc(0),
              options: [],
              payload: Buffer.alloc(0),
            }),
          );
        }
        if (m.code === 0) return;
        peer.waiting.get(m.token.toString('hex'))?.(m);
      };
      session.onClose = () => this.peers.delete(key);
      return peer;
    });
    p.catch(() => this.peers.delete(key));
    this.peers.set(key, p);
    return p;
  }

  close(): void {
    for (const p of this.peers.values()) void p.then((peer) => peer.session.close()).catch(() => {});
    this.peers.clear();
  }
}
