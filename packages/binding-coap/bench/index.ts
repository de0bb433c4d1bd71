// pnpm bench: DTLS-PSK handshakes per second and CoAP GET round trips per second, this binding against
// libcoap's own coap-server-openssl, measured in the same run with the same Node DTLS client (so the
// server side is what differs), with the ratio. Bounded: a few hundred handshakes, a few thousand GETs.
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { fileURLToPath } from 'node:url';
import { createCoapBinding } from '../src/index.js';

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

/** Runs the client loops in a child process, so neither server shares its event loop with the client. */
function measure(mode: 'handshakes' | 'gets', port: number, oneM2m: boolean): Promise<number> {
  const client = fileURLToPath(new URL('./client.ts', import.meta.url));
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [...process.execArgv, client, mode, String(port), oneM2m ? '1' : '0'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    p.stdout.on('data', (d) => {
      out += d.toString();
    });
    p.on('close', (code) =>
      code === 0 ? resolve(Number(out.trim())) : reject(new Error(`bench client exited ${code}`)),
    );
  });
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
    const hsOurs = await measure('handshakes', ours, true);
    const hsLib = await measure('handshakes', lport, false);
    const getOurs = await measure('gets', ours, true);
    const getLib = await measure('gets', lport, false);
    const row = (what: string, a: number, b: number) =>
      `${what.padEnd(34)} m2msec ${a.toFixed(0).padStart(7)}/s   libcoap ${b.toFixed(0).padStart(7)}/s   ratio ${(a / b).toFixed(2)}`;
    console.log(
      `binding-coap bench (${HANDSHAKES} handshakes, ${GETS} GETs, same Node DTLS client, in its own process, for both servers)`,
    );
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
