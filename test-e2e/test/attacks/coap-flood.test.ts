// Attack family: handshake floods on the CoAP/DTLS listener (issue 20 item 4; docs/hardening.md "Resource
// limits", `coap.limits`). The secure IN-CSE process serves CoAP over DTLS-PSK. Attackers on four loopback
// addresses each start 16 handshakes, complete the cookie exchange (they own their address) and stall; a
// fifth sends 5,000 cookie-less ClientHellos (what a spoofed-source flood can send). A legitimate AE from
// 127.0.0.1 must still get its DTLS session and a 2000 within its timeout. The per-address cap keeps each
// flooding address at 4 half-open associations, so the four hold 16 of the 32 handshake slots; without it
// they take all 32 and the legitimate handshake is dropped (checked by removing the cap once).
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoapsRequestSender } from '@m2msec/binding-coap';
import { type InCseProcess, startInCseProcess } from '@m2msec/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initialClientHello, type Stall, stalledHandshake } from '../../src/net/dtls-flood.js';
import { freeUdpPort } from '../../src/net/ports.js';
import { inCseCredentials, inCseMain } from '../../src/nodes/in-cse.js';

const PER_PEER = 4;
const RATE = 10;
const MAX_HANDSHAKES = 32;
const FLOOD_ADDRESSES = ['127.0.4.1', '127.0.4.2', '127.0.4.3', '127.0.4.4'];
const STALLS_PER_ADDRESS = 16;
const LEGIT_TIMEOUT_MS = 10_000;

const kpsaId = 'kpsa-coap-flood@mef.m2msec.org';
const kpsa = randomBytes(32);
const dir = mkdtempSync(join(tmpdir(), 'm2msec-coap-flood-'));
const configPath = join(dir, 'config.json');
const env = { M2MSEC_CONFIG: configPath, M2MSEC_KEK_FILE: join(dir, 'keystore.key') };
let coapPort: number;
let cse: InCseProcess;
const stalls: Stall[] = [];

beforeAll(async () => {
  coapPort = await freeUdpPort();
  writeFileSync(
    configPath,
    JSON.stringify({
      profile: 'secure',
      cse: { cseId: '/id-in', cseBaseName: 'cse-in', spId: 'm2msec.org', adminOriginators: ['CAdmin'] },
      security: {
        mca: 'required',
        administrators: [{ name: 'operator', originator: 'CAdmin', credentialId: `12-${kpsaId}` }],
        derivedKey: false,
      },
      coap: {
        host: '127.0.0.1',
        port: coapPort,
        // Half-open handshakes stay for the whole test; tight caps keep the test short on a small machine.
        limits: {
          maxHandshakes: MAX_HANDSHAKES,
          maxSessionsPerPeer: PER_PEER,
          handshakesPerSecondPerPeer: RATE,
          handshakeTimeoutMs: 120_000,
        },
      },
      log: { level: 'warn' },
    }),
    { mode: 0o600 },
  );
  const keyFile = join(dir, 'kpsa.hex');
  writeFileSync(keyFile, kpsa.toString('hex'), { mode: 0o600 });
  const dataDir = join(dir, 'data');
  const r = spawnSync(process.execPath, [inCseCredentials, 'add-psk', '--id', kpsaId, '--key-file', keyFile], {
    encoding: 'utf8',
    env: { ...process.env, ...env, M2MSEC_DATA_DIR: dataDir },
  });
  expect(r.status, r.stderr).toBe(0);
  cse = await startInCseProcess({ main: inCseMain, store: 'sqlite', dataDir, env });
});
afterAll(async () => {
  for (const s of stalls) s.socket.close();
  await cse?.stop();
});

/** The legitimate AE: a fresh DTLS session from 127.0.0.1 and one RETRIEVE of the CSEBase. */
async function legitimate(): Promise<{ rsc: number; ms: number }> {
  const sender = new CoapsRequestSender({
    dtls: { psk: { identity: kpsaId, key: kpsa }, handshakeTimeoutMs: LEGIT_TIMEOUT_MS, localAddress: '127.0.0.1' },
    timeoutMs: LEGIT_TIMEOUT_MS,
  });
  const t0 = Date.now();
  try {
    const r = await sender.send(`coaps://127.0.0.1:${coapPort}`, {
      op: 2,
      to: '/id-in/cse-in',
      fr: 'CAdmin',
      rqi: randomBytes(4).toString('hex'),
      rvi: '3',
    });
    if (r.rsc !== 2000) console.log('legitimate AE answer', JSON.stringify(r));
    return { rsc: r.rsc, ms: Date.now() - t0 };
  } finally {
    sender.close();
  }
}

/** `n` stalled handshakes from one address, paced under its per-address rate. */
async function stallFrom(from: string, n: number): Promise<Stall[]> {
  const out: Stall[] = [];
  const batch = RATE / 2;
  for (let i = 0; i < n; i += batch) {
    out.push(...(await Promise.all(Array.from({ length: batch }, () => stalledHandshake(coapPort, from, 1_000)))));
    await new Promise((r) => setTimeout(r, 1_050));
  }
  return out;
}

describe('CoAP/DTLS listener under a handshake flood', () => {
  it('the legitimate AE is served before the flood', async () => {
    // The listener comes up with the process; the first attempt may race it on a loaded machine.
    let r = { rsc: 0, ms: 0 };
    for (let i = 0; i < 5 && r.rsc !== 2000; i++) r = await legitimate().catch(() => ({ rsc: 0, ms: 0 }));
    expect(r.rsc).toBe(2000);
  });

  it('stalled handshakes from four addresses and 5,000 cookie-less ClientHellos leave it served within its timeout', async () => {
    const hello = initialClientHello();
    const spoof = createSocket('udp4');
    await new Promise<void>((r) => spoof.bind(0, '127.0.4.9', r));
    let sent = 0;
    const blast = (async () => {
      for (; sent < 5_000; sent += 100) {
        await Promise.all(
          Array.from(
            { length: 100 },
            () => new Promise<void>((r) => spoof.send(hello, coapPort, '127.0.0.1', () => r())),
          ),
        );
        await new Promise((r) => setImmediate(r));
      }
    })();
    const flooded = await Promise.all(FLOOD_ADDRESSES.map((a) => stallFrom(a, STALLS_PER_ADDRESS)));
    await blast;
    spoof.close();
    for (const f of flooded) stalls.push(...f);
    const open = flooded.map((f) => f.filter((s) => s.result === 'open').length);
    // Each flooding address holds at most its cap; the rest was dropped without state.
    for (const n of open) expect(n).toBeLessThanOrEqual(PER_PEER);
    expect(open.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    const r = await legitimate();
    console.log(
      `CoAP flood: ${sent} cookie-less ClientHellos, ${FLOOD_ADDRESSES.length * STALLS_PER_ADDRESS} stalled handshakes (${open.join('+')} kept); legitimate AE ${r.rsc} in ${r.ms} ms`,
    );
    expect(r.rsc).toBe(2000);
    expect(r.ms).toBeLessThan(LEGIT_TIMEOUT_MS);
  });
});
