// The access and security lines and the counters of observeHandler, with a handler standing in for the
// CSE (a pure unit test; the IN-CSE's own lines are read in apps/in-cse/test/observability.test.ts).
import { Writable } from 'node:stream';
import type { RequestHandler, TransportContext } from '@m2msec/protocol';
import { describe, expect, it } from 'vitest';
import { createLogger, handshakeRefused, lifecycle, Metrics, observeHandler, REDACTED_PATHS } from '../src/index.js';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      for (const l of String(chunk).split('\n')) if (l) lines.push(JSON.parse(l));
      done();
    },
  });
  return { lines, log: createLogger({ app: 'test', level: 'debug', destination }) };
}

const psk: TransportContext = {
  binding: 'http',
  peerAddress: '127.0.0.1',
  tls: { pskIdentity: 'KpsaID-1@in.example' },
  association: { boundIds: ['Csensor'], credentialId: 'KpsaID-1@in.example', framework: 'psk' },
};

const decided: RequestHandler = async (req) =>
  req.to === 'cse-in/denied'
    ? { rsc: 4103, rqi: req.rqi, dbg: "originator 'Csensor' has no privilege for this operation on 'cse-in/denied'" }
    : { rsc: 2000, rqi: req.rqi, pc: { 'm2m:cb': { rn: 'cse-in' } } };

describe('observeHandler', () => {
  it('writes one access line per request with what the association proved, never the content', async () => {
    const { lines, log } = capture();
    const metrics = new Metrics({ app: 'test', processMetrics: false });
    const h = observeHandler(decided, { log, metrics, channel: 'https-psk' });
    const rsp = await h({ op: 2, to: 'cse-in', fr: 'Csensor', rqi: 'r1', rvi: '3' }, psk);
    expect(rsp.rsc).toBe(2000);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      kind: 'access',
      rqi: 'r1',
      op: 2,
      to: 'cse-in',
      originator: 'Csensor',
      identity: 'Csensor',
      association: 'psk',
      channel: 'https-psk',
      rsc: 2000,
      level: 30,
    });
    expect(typeof lines[0]!.ms).toBe('number');
    expect(JSON.stringify(lines)).not.toContain('m2m:cb');
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/m2msec_requests_total\{op="2",rsc="2000",binding="http",app="test"\} 1/);
    expect(text).toMatch(/m2msec_request_duration_seconds_count\{app="test",op="2",binding="http"\} 1/);
  });

  it('access lines are written without redaction, so their fields must be the fixed set, none named like a secret', async () => {
    // The permitted-request line skips the logger's redaction (its cost); this holds it to the flat schema
    // that makes skipping safe: a new field named like a redacted path fails here.
    const { lines, log } = capture();
    const h = observeHandler(decided, { log, channel: 'https-psk' });
    await h({ op: 2, to: 'cse-in', fr: 'Csensor', rqi: 'r1', rvi: '3', pc: { key: 'k', psk: 'p' } } as never, psk);
    const fixed = ['kind', 'channel', 'binding', 'rqi', 'op', 'to', 'originator', 'identity', 'association'];
    const allowed = new Set([...fixed, 'peer', 'rsc', 'ms', 'level', 'time', 'app', 'msg']);
    expect(lines).toHaveLength(1);
    for (const [k, v] of Object.entries(lines[0]!)) {
      expect(allowed.has(k), `unexpected access-line field ${k}`).toBe(true);
      expect(typeof v === 'object' && v !== null, `nested access-line field ${k}`).toBe(false);
    }
    const redactedNames = REDACTED_PATHS.map((p) => p.replace(/^\*\./, ''));
    for (const k of Object.keys(lines[0]!)) expect(redactedNames).not.toContain(k);
  });

  it('adds a security line with the decision reason for a refusal, and counts it', async () => {
    const { lines, log } = capture();
    const metrics = new Metrics({ app: 'test', processMetrics: false });
    const h = observeHandler(decided, { log, metrics, channel: 'https-psk' });
    await h({ op: 2, to: 'cse-in/denied', fr: 'Csensor', rqi: 'r2', rvi: '3' }, psk);
    const security = lines.find((l) => l.kind === 'security');
    expect(security).toMatchObject({
      event: 'refused',
      reason: 'originator-has-no-privilege',
      rsc: 4103,
      rqi: 'r2',
      identity: 'Csensor',
      detail: "originator 'Csensor' has no privilege for this operation on 'cse-in/denied'",
    });
    expect(lines.find((l) => l.kind === 'access')).toMatchObject({ rsc: 4103, level: 40 });
    expect(await metrics.registry.metrics()).toMatch(
      /m2msec_refusals_total\{reason="originator-has-no-privilege",app="test"\} 1/,
    );
  });

  it('samples permitted requests deterministically and never drops a refusal', async () => {
    const { lines, log } = capture();
    const h = observeHandler(decided, { log, channel: 'http', accessSampling: 0.25 });
    for (let i = 0; i < 8; i++) await h({ op: 2, to: 'cse-in', fr: 'C1', rqi: `a${i}`, rvi: '3' }, { binding: 'http' });
    for (let i = 0; i < 3; i++)
      await h({ op: 2, to: 'cse-in/denied', fr: 'C1', rqi: `d${i}`, rvi: '3' }, { binding: 'http' });
    expect(lines.filter((l) => l.kind === 'access' && l.rsc === 2000)).toHaveLength(2);
    expect(lines.filter((l) => l.kind === 'security')).toHaveLength(3);
  });

  it('logs a request that never parsed (no op) and a handler that throws, as 5000', async () => {
    const { lines, log } = capture();
    const metrics = new Metrics({ app: 'test', processMetrics: false });
    const h = observeHandler(
      async () => {
        throw new Error('boom');
      },
      { log, metrics, channel: 'http' },
    );
    await expect(h({ garbage: true } as never, { binding: 'http' })).rejects.toThrow('boom');
    expect(lines[0]).toMatchObject({ kind: 'access', rsc: 5000, association: 'none' });
    expect(await metrics.registry.metrics()).toMatch(/m2msec_requests_total\{op="invalid",rsc="5000"/);
  });
});

describe('security and lifecycle lines', () => {
  it('a replayed handshake is a security line, a refusal and a replay rejection', async () => {
    const { lines, log } = capture();
    const metrics = new Metrics({ app: 'test', processMetrics: false });
    handshakeRefused(log, metrics, {
      framework: 'derived-key',
      identity: 'DK.ta1.C1.7.00',
      reason: 'sequence number 7 of TA ta1 refused: duplicate',
      replay: true,
    });
    expect(lines[0]).toMatchObject({ kind: 'security', event: 'replay', framework: 'derived-key', level: 40 });
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/m2msec_replay_rejections_total\{framework="derived-key",app="test"\} 1/);
    expect(text).toMatch(/m2msec_handshakes_total\{framework="derived-key",outcome="refused",app="test"\} 1/);
  });

  it('an enrolment is a lifecycle line and counts; secret-named fields are redacted', async () => {
    const { lines, log } = capture();
    const metrics = new Metrics({ app: 'test', processMetrics: false });
    lifecycle(log, metrics, 'enrolment', { framework: 'rspf-psk', keId: 'ab12@mef.example' });
    log.info({ key: 'deadbeef', nested: { psk: 'cafe' } }, 'careless caller');
    expect(lines[0]).toMatchObject({ kind: 'lifecycle', event: 'enrolment', keId: 'ab12@mef.example' });
    expect(JSON.stringify(lines[1])).not.toMatch(/deadbeef|cafe/);
    expect(await metrics.registry.metrics()).toMatch(
      /m2msec_enrolments_total\{framework="rspf-psk",outcome="ok",app="test"\} 1/,
    );
  });
});

describe('label values', () => {
  it('an operation number outside TS-0004 1..6 is counted as invalid, never as its own series', async () => {
    const { log } = capture();
    const metrics = new Metrics({ app: 'test', processMetrics: false });
    const h = observeHandler(async (req) => ({ rsc: 4000, rqi: req.rqi }), { log, metrics, channel: 'http' });
    for (const op of [7, 99999, 1.5, -1])
      await h({ op, to: 'x', fr: 'C', rqi: 'r', rvi: '3' } as never, { binding: 'http' });
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/m2msec_requests_total\{op="invalid",rsc="4000",binding="http",app="test"\} 4/);
    expect(text).not.toMatch(/op="(7|99999|1\.5|-1)"/);
  });
});
