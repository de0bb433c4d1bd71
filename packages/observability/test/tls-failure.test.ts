// Failed TLS handshakes as security lines with a reason an operator can act on; a client that hung up
// is no refusal (no line above debug, no count). Real handshakes against these listeners are read in
// test-e2e/test/topology.test.ts (a wrong Kpsa).
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, explainTlsFailure, Metrics, tlsHandshakeFailed } from '../src/index.js';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      for (const l of String(chunk).split('\n')) if (l) lines.push(JSON.parse(l));
      done();
    },
  });
  return { lines, log: createLogger({ app: 'test', level: 'info', destination }) };
}

describe('tlsHandshakeFailed', () => {
  it('a wrong PSK names the identity and the file to check, counted as a refused handshake', async () => {
    const { lines, log } = capture();
    const metrics = new Metrics({ app: 'test', processMetrics: false });
    tlsHandshakeFailed(log, metrics, {
      framework: 'psk',
      channel: 'https-psk',
      code: 'ERR_SSL_DECRYPTION_FAILED_OR_BAD_RECORD_MAC',
      identity: 'kpsa-1@mef.example',
      peer: '127.0.0.1',
    });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      kind: 'security',
      event: 'handshake-refused',
      framework: 'psk',
      identity: 'kpsa-1@mef.example',
      msg: 'TLS handshake refused',
    });
    expect(String(lines[0]!.detail)).toMatch(/PSK offered for identity 'kpsa-1@mef.example' does not match/);
    const scraped = await metrics.registry.metrics();
    expect(scraped).toMatch(/m2msec_handshakes_total\{framework="psk",outcome="refused",app="test"\} 1/);
  });

  it('a client that closed the connection refused nothing', async () => {
    const { lines, log } = capture();
    const metrics = new Metrics({ app: 'test', processMetrics: false });
    tlsHandshakeFailed(log, metrics, { framework: 'certificate', channel: 'https-certificate', code: 'ECONNRESET' });
    expect(lines).toHaveLength(0);
    expect(await metrics.registry.metrics()).not.toMatch(/m2msec_handshakes_total\{[^}]*refused/);
  });

  it('certificate failures say what is missing', () => {
    const c = (code: string) => explainTlsFailure({ framework: 'certificate', channel: 'c', code });
    expect(c('ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE')).toMatch(/no client certificate/);
    expect(c('ERR_SSL_TLSV1_ALERT_UNKNOWN_CA')).toMatch(/does not chain to a configured trust anchor/);
    expect(c('ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED')).toMatch(/not valid now/);
    expect(c('ERR_SOMETHING_ELSE')).toBe('TLS handshake failed (ERR_SOMETHING_ELSE)');
  });
});
