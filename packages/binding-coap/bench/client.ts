// The bench client (bench/index.ts runs it as a child process): one loop, its rate on stdout.
import { dtlsConnect } from '@m2msec/dtls';
import { CoapType, Opt, parseCoap, serializeCoap } from '../src/index.js';

const KEY = Buffer.from('bench-psk-key-0123456789');
const IDENTITY = 'bench';
const HANDSHAKES = Number(process.env.BENCH_HANDSHAKES ?? 200);
const GETS = Number(process.env.BENCH_GETS ?? 2000);

async function handshakesPerSecond(port: number): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < HANDSHAKES; i++) {
    const s = await dtlsConnect({ host: '127.0.0.1', port, psk: { identity: IDENTITY, key: KEY } });
    s.close();
  }
  return HANDSHAKES / ((performance.now() - t0) / 1000);
}

async function getsPerSecond(port: number, path: string[], oneM2m: boolean): Promise<number> {
  const s = await dtlsConnect({ host: '127.0.0.1', port, psk: { identity: IDENTITY, key: KEY } });
  let pending: ((b: Buffer) => void) | undefined;
  s.onData = (d) => pending?.(d);
  const t0 = performance.now();
  for (let i = 0; i < GETS; i++) {
    const token = Buffer.alloc(4);
    token.writeUInt32BE(i);
    const msg = serializeCoap({
      type: CoapType.CON,
      code: 1,
      messageId: i & 0xffff,
      token,
      options: [
        ...path.map((p) => ({ number: Opt.uriPath, value: Buffer.from(p) })),
        // libcoap's server refuses the (critical) oneM2M options it does not know with 4.02.
        ...(oneM2m
          ? [
              { number: Opt.oneM2mRQI, value: Buffer.from(`b-${i}`) },
              { number: Opt.oneM2mFR, value: Buffer.from('CAdmin') },
            ]
          : []),
      ],
      payload: Buffer.alloc(0),
    });
    const reply = new Promise<Buffer>((r) => {
      pending = r;
    });
    s.send(msg);
    const rsp = parseCoap(await reply);
    if (rsp.code >> 5 !== 2 || rsp.messageId !== (i & 0xffff)) throw new Error(`unexpected response ${rsp.code}`);
  }
  const rate = GETS / ((performance.now() - t0) / 1000);
  s.close();
  return rate;
}

const [mode, port, oneM2m] = process.argv.slice(2);
const rate =
  mode === 'handshakes'
    ? await handshakesPerSecond(Number(port))
    : await getsPerSecond(Number(port), oneM2m === '1' ? ['cse-in'] : [], oneM2m === '1');
process.stdout.write(`${rate}\n`);
process.exit(0);
