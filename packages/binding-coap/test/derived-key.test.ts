// DerivedKey mode over CoAP/DTLS with libcoap's client: psk_identity = the TA-issued identity (the
// nonce), K_RS-C derived by the resource server; check() in the PSK callback, accept() only once the
// DTLS handshake finished; a replayed identity and a wrong key refused, the legitimate client unaffected.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TransportContext } from '@m2msec/protocol';
import { DerivedKeyResourceServer, DerivedKeyTrustAnchor, isDerivedKeyIdentity } from '@m2msec/saef';
import { openSqliteStore } from '@m2msec/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CoapBinding, createCoapBinding } from '../src/index.js';

const kRsTa = randomBytes(32);
const dir = mkdtempSync(join(tmpdir(), 'm2msec-coap-dk-'));
let ta: DerivedKeyTrustAnchor;
let rs: DerivedKeyResourceServer;
let binding: CoapBinding;
let port: number;
const seen: TransportContext[] = [];
const refusals: string[] = [];

/**
 * coap-client takes the PSK only as text (-k): a derived key reaches it through the shell as raw bytes,
 * so the test asks the TA for grants until one has no NUL byte and no trailing newline (test-only).
 */
async function usableGrant() {
  for (;;) {
    const g = await ta.issue('sensor1');
    if (!g.key.includes(0) && g.key[g.key.length - 1] !== 10) return g;
  }
}

function coapClientWithKey(identity: string, key: Buffer): Promise<string> {
  const hex = [...key].map((b) => `\\${b.toString(8).padStart(3, '0')}`).join(''); // POSIX printf: octal escapes
  const script = `exec coap-client-openssl -B 3 -u "$1" -k "$(printf '${hex}')" -O 283,dk-1 -O 279,CAE-sensor1 coaps://127.0.0.1:${port}/cse-in`;
  return new Promise((resolve) => {
    const p = spawn('sh', ['-c', script, 'sh', identity], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (d) => {
      out += d.toString();
    });
    p.on('close', () => resolve(out));
  });
}

beforeAll(async () => {
  const store = await openSqliteStore({ file: join(dir, 'dk.db') });
  ta = await DerivedKeyTrustAnchor.open({
    taId: 'ta1',
    key: kRsTa,
    state: store.collection('ta'),
    authorize: () => true,
  });
  rs = await DerivedKeyResourceServer.open({
    trustAnchors: [{ taId: 'ta1', key: kRsTa }],
    state: store.collection('dk-windows'),
    journalPath: join(dir, 'dk.journal'),
  });
  binding = createCoapBinding({
    host: '127.0.0.1',
    port: 0,
    responseOptions: 'coap-only',
    // check(): in the PSK callback, changes nothing (the handshake has not proved the key yet).
    psk: (id) => {
      const identity = id.toString('utf8');
      if (!isDerivedKeyIdentity(identity)) return undefined;
      const c = rs.check(identity);
      return c.ok ? c.key : undefined;
    },
    // accept(): only now, after the Finished messages proved K_RS-C; a refusal ends the session.
    acceptSession: (s) => {
      const identity = s.pskIdentity?.toString('utf8') ?? '';
      const a = rs.accept(identity);
      if (!a.ok) refusals.push(a.code);
      return a.ok;
    },
    handler: async (req, transport) => {
      seen.push(transport);
      return { rsc: 2000, rqi: req.rqi, pc: { 'm2m:cb': { rn: 'cse-in' } } };
    },
  });
  port = (await binding.listen()).port;
});
afterAll(async () => {
  await binding.close();
  await rs.close();
});

describe('DerivedKey over DTLS with coap-client-openssl', () => {
  it('admits a TA-issued identity once; the replayed identity is refused', async () => {
    const g = await usableGrant();
    const first = await coapClientWithKey(g.identity, g.key);
    expect(first, `${g.identity} ${refusals}`).toContain('cse-in');
    expect(seen.at(-1)?.tls?.pskIdentity).toBe(g.identity);
    const before = seen.length;
    expect(await coapClientWithKey(g.identity, g.key)).not.toContain('cse-in');
    expect(seen.length).toBe(before);
  });

  it('a wrong key neither connects nor burns the number; the legitimate client then connects', async () => {
    const g = await usableGrant();
    const forged = Buffer.from(g.key);
    forged[0] = forged[0] === 0x41 ? 0x42 : 0x41;
    expect(await coapClientWithKey(g.identity, forged)).not.toContain('cse-in');
    expect(await coapClientWithKey(g.identity, g.key)).toContain('cse-in');
  });

  it('refuses an identity the TA never issued (unknown TA) in the PSK callback', async () => {
    const fake = `DK.ta9.sensor1.5.${randomBytes(16).toString('hex')}`;
    expect(await coapClientWithKey(fake, Buffer.from(randomBytes(32).map((b) => b | 1)))).not.toContain('cse-in');
  });
});
