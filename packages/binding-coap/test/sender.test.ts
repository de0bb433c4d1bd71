// The coaps RequestSender against this binding (default response options): primitives round-trip,
// the exact rsc comes back through oneM2M-RSC, 64 KiB bodies go block-wise both ways, one DTLS session
// is reused, an unreachable point of access is 4008/5103.
import { Operation, type RequestPrimitive } from '@m2msec/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CoapBinding, CoapsRequestSender, createCoapBinding } from '../src/index.js';

const KEY = Buffer.from('sender-test-key-0123456789');
let binding: CoapBinding;
let poa: string;
const calls: RequestPrimitive[] = [];
const sender = new CoapsRequestSender({ dtls: { psk: { identity: 'ae1', key: KEY } }, timeoutMs: 5000 });

beforeAll(async () => {
  binding = createCoapBinding({
    host: '127.0.0.1',
    port: 0,
    psk: (id) => (id.toString() === 'ae1' ? KEY : undefined),
    handler: async (req) => {
      calls.push(req);
      if (req.to === 'cse-in/missing') return { rsc: 4004, rqi: req.rqi, dbg: 'no such resource' };
      if (req.op === Operation.CREATE) return { rsc: 2001, rqi: req.rqi, pc: req.pc };
      return { rsc: 2000, rqi: req.rqi, pc: { 'm2m:cb': { rn: 'cse-in' } } };
    },
  });
  poa = `coaps://127.0.0.1:${(await binding.listen()).port}`;
});
afterAll(async () => {
  sender.close();
  await binding.close();
});

describe('CoapsRequestSender', () => {
  it('round-trips RETRIEVE with query parameters and the exact rsc of an error', async () => {
    const r = await sender.send(poa, {
      op: Operation.RETRIEVE,
      to: '/id-in/cse-in',
      rqi: 's-1',
      fr: 'CAE1',
      rvi: '3',
      rcn: 1,
    } as RequestPrimitive);
    expect(r).toMatchObject({ rsc: 2000, rqi: 's-1', pc: { 'm2m:cb': { rn: 'cse-in' } } });
    expect(calls.at(-1)).toMatchObject({ to: '/id-in/cse-in', fr: 'CAE1', rcn: 1, rvi: '3' });
    const e = await sender.send(poa, { op: Operation.RETRIEVE, to: 'cse-in/missing', rqi: 's-2', fr: 'CAE1' });
    expect(e).toMatchObject({ rsc: 4004, rqi: 's-2', pc: { 'm2m:dbg': 'no such resource' } });
    expect(binding.dtls.stats.handshakes).toBe(1); // one session for both
  });

  it('sends and receives a 64 KiB contentInstance block-wise', async () => {
    const con = 'y'.repeat(64 * 1024);
    const r = await sender.send(poa, {
      op: Operation.CREATE,
      to: 'cse-in/ae1/c1',
      rqi: 's-3',
      fr: 'CAE1',
      ty: 4,
      pc: { 'm2m:cin': { con } },
    });
    expect(r.rsc).toBe(2001);
    expect((r.pc as { 'm2m:cin': { con: string } })['m2m:cin'].con).toBe(con);
    expect((calls.at(-1)!.pc as { 'm2m:cin': { con: string } })['m2m:cin'].con).toBe(con);
  });

  it('reports an unreachable point of access with 5103', async () => {
    const lonely = new CoapsRequestSender({ dtls: { psk: { identity: 'ae1', key: KEY }, handshakeTimeoutMs: 500 } });
    await expect(
      lonely.send('coaps://127.0.0.1:9', { op: Operation.RETRIEVE, to: 'cse-in', rqi: 'x' }),
    ).rejects.toMatchObject({ rsc: 5103 });
  });
});
