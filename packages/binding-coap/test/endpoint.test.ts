// The message layer without DTLS: deduplication of confirmable requests (RFC 7252 4.5), RST for
// malformed messages and pings, 4.02 for unknown critical options, Block1 sequencing and size limit.
import type { RequestPrimitive } from '@m2msec/protocol';
import { describe, expect, it } from 'vitest';
import { CoapEndpoint, type CoapMessage, CoapType, Opt, parseCoap, serializeCoap } from '../src/index.js';
import { encodeBlock } from '../src/message/block.js';

function endpoint(maxRequestBody?: number) {
  const sent: CoapMessage[] = [];
  const calls: RequestPrimitive[] = [];
  const ep = new CoapEndpoint({
    handler: async (req) => {
      calls.push(req);
      return { rsc: 2001, rqi: req.rqi, pc: { ok: true } };
    },
    transport: { binding: 'coap' },
    send: (d) => sent.push(parseCoap(d)),
    ...(maxRequestBody === undefined ? {} : { maxRequestBody }),
  });
  return { ep, sent, calls };
}

const tick = () => new Promise((r) => setTimeout(r, 5));

function post(
  messageId: number,
  extra: { number: number; value: Buffer }[] = [],
  payload = Buffer.from('{"m2m:cin":{}}'),
) {
  return serializeCoap({
    type: CoapType.CON,
    code: 2,
    messageId,
    token: Buffer.from([messageId & 0xff]),
    options: [
      { number: Opt.uriPath, value: Buffer.from('cse-in') },
      { number: Opt.contentFormat, value: Buffer.from([50]) },
      { number: Opt.oneM2mRQI, value: Buffer.from('r1') },
      { number: Opt.oneM2mTY, value: Buffer.from([4]) },
      ...extra,
    ],
    payload,
  });
}

describe('CoAP endpoint', () => {
  it('answers a duplicate CON with the same ACK and runs the CREATE once', async () => {
    const { ep, sent, calls } = endpoint();
    ep.receive(post(7));
    await tick();
    ep.receive(post(7));
    await tick();
    expect(calls).toHaveLength(1);
    expect(sent).toHaveLength(2);
    expect(sent[1]).toEqual(sent[0]);
    expect(sent[0]).toMatchObject({ type: CoapType.ACK, code: (2 << 5) | 1, messageId: 7 });
    expect(ep.stats.duplicates).toBe(1);
  });

  it('resets malformed messages and pings; refuses an unknown critical option with 4.02', async () => {
    const { ep, sent, calls } = endpoint();
    ep.receive(Buffer.from('4401abcd01', 'hex')); // token length 4, one byte of token
    ep.receive(Buffer.from('4000beef', 'hex')); // CoAP ping
    expect(sent.map((m) => [m.type, m.messageId])).toEqual([
      [CoapType.RST, 0xabcd],
      [CoapType.RST, 0xbeef],
    ]);
    ep.receive(post(8, [{ number: 2049, value: Buffer.from('x') }]));
    await tick();
    expect(sent[2]).toMatchObject({ code: (4 << 5) | 2 });
    expect(calls).toHaveLength(0);
  });

  it('Block1: out-of-sequence block gets 4.08, a body over the limit 4.13 with Size1, nothing executed', async () => {
    const { ep, sent, calls } = endpoint(64);
    const block = (num: number, more: boolean) => [{ number: Opt.block1, value: encodeBlock({ num, more, szx: 1 }) }];
    ep.receive(post(1, block(1, true), Buffer.alloc(32, 0x20)));
    await tick();
    expect(sent[0]).toMatchObject({ code: (4 << 5) | 8 });
    ep.receive(post(2, block(0, true), Buffer.alloc(32, 0x20)));
    await tick();
    expect(sent[1]).toMatchObject({ code: (2 << 5) | 31 });
    ep.receive(post(3, block(1, true), Buffer.alloc(32, 0x20)));
    await tick();
    ep.receive(post(4, block(2, false), Buffer.alloc(8, 0x20)));
    await tick();
    expect(sent[3]).toMatchObject({ code: (4 << 5) | 13 });
    expect(sent[3]!.options.find((o) => o.number === Opt.size1)?.value).toEqual(Buffer.from([64]));
    expect(calls).toHaveLength(0);
  });
});
