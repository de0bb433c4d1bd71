// pnpm bench: DTLS-PSK handshakes per second and CoAP GET round trips per second, this binding against
// libcoap's own coap-server-openssl, measured in the same run with the same Node DTLS client (so the
// server side is what differs), with the ratio. Bounded: a few hundred handshakes, a few thousand GETs.
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { dtlsConnect } from '@m2msec/dtls';
import { CoapType, createCoapBinding, Opt, parseCoap, serializeCoap } from '../src/index.js';

const KEY = Buffer.from('bench-psk-key-0123456789');
const IDENTITY = 'bench';
const HANDSHAKES = Number(process.env.BENCH_HANDSHAKES ?? 200);
const GETS = Number(process.env.BENCH_GETS ?? 2000);

async function freeUdpPort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
  const p = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return p;
}

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

async function main(): Promise<void> {
  const binding = createCoapBinding({
    host: '127.0.0.1',
    port: 0,
    psk: (id) => (id.toString() === IDENTITY ? KEY : undefined),
    handler: async (req) => ({ rsc: 2000, rqi: req.rqi, pc: { 'm2m:cb': { rn: 'cse-in' } } }),
  });
  const ours = (await binding.listen()).port;
  const base = await freeUdpPort();
  const libcoap = spawn(
    'coap-server-openssl',
    ['-A', '127.0.0.1', '-p', String(base), '-k', KEY.toString(), '-v', '0'],
    {
      stdio: 'ignore',
    },
  );
  await new Promise((r) => setTimeout(r, 500));
  const lport = base + 1; // coaps listens on port + 1
  try {
    const hsOurs = await handshakesPerSecond(ours);
    const hsLib = await handshakesPerSecond(lport);
    const getOurs = await getsPerSecond(ours, ['cse-in'], true);
    const getLib = await getsPerSecond(lport, [], false);
    const row = (what: string, a: number, b: number) =>
      `${what.padEnd(34)} m2msec ${a.toFixed(0).padStart(7)}/s   libcoap ${b.toFixed(0).padStart(7)}/s   ratio ${(a / b).toFixed(2)}`;
    console.log(`binding-coap bench (${HANDSHAKES} handshakes, ${GETS} GETs, same Node DTLS client for both servers)`);
    console.log(row('DTLS-PSK handshakes (PSK-AES128-CCM8)', hsOurs, hsLib));
    console.log(row('CoAP GET round trips (one session)', getOurs, getLib));
  } finally {
    libcoap.kill('SIGTERM');
    await binding.close();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
