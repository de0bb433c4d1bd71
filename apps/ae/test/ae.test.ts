// The reference AE and the load generator against a real Cse behind the HTTP binding on loopback.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHttpBinding, type HttpBinding } from '@m2msec/binding-http';
import { Cse } from '@m2msec/cse';
import { openSqliteStore } from '@m2msec/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aeOptions, readConfig } from '../src/config.js';
import { percentiles, ReferenceAe, runLoad } from '../src/index.js';

let cse: Cse;
let binding: HttpBinding;
let url: string;

beforeAll(async () => {
  cse = await Cse.open({
    store: await openSqliteStore({ file: ':memory:' }),
    appRules: [{ name: 'open', allowedAppIDs: ['*'], allowedAEs: ['*'] }],
    config: {
      cseId: '/id-mn',
      cseBaseName: 'cse-mn',
      cseType: 2,
      expirySweepMs: 0,
      // The AEs' notification servers listen on loopback, which the target policy refuses unless allowed.
      notifications: { allowTargets: ['127.0.0.1'] },
    },
    senders: [new (await import('@m2msec/binding-http')).HttpRequestSender()],
  });
  binding = createHttpBinding({ handler: cse.handle, cseId: '/id-mn', cseBaseName: 'cse-mn', spId: 'm2msec.org' });
  const { port } = await binding.listen({ host: '127.0.0.1', port: 0 });
  url = `http://127.0.0.1:${port}`;
});
afterAll(async () => {
  await binding?.close({ graceMs: 100 });
  await cse?.stop();
});

const base = (stem: string, extra: Partial<ConstructorParameters<typeof ReferenceAe>[0]> = {}) =>
  new ReferenceAe({
    registrar: { cseId: '/id-mn', cseBaseName: 'cse-mn' },
    transport: { kind: 'http', url },
    stem,
    appId: 'Nsensor',
    ...extra,
  });

describe('ReferenceAE over HTTP', () => {
  it('registers, creates its container with an ACP for a reader, posts; the ACP decides who reads', async () => {
    const owner = base('Cowner', { container: { rn: 'readings', acp: [{ acor: ['/id-mn/Creader'], acop: 2 }] } });
    const reader = base('Creader');
    const stranger = base('Cstranger');
    await owner.start();
    await reader.start();
    await stranger.start();
    expect(owner.aeId).toBe('/id-mn/Cowner');
    expect((await owner.post({ t: 21.5 })).rsc).toBe(2001);
    const la = await reader.retrieve('cse-mn/Cowner/readings/la');
    expect(la.rsc).toBe(2000);
    expect(JSON.parse((la.pc as any)['m2m:cin'].con)).toEqual({ t: 21.5 });
    expect((await stranger.retrieve('cse-mn/Cowner/readings/la')).rsc).toBe(4103);
    await Promise.all([owner.close(), reader.close(), stranger.close()]);
  });

  it('a restart reuses the registration (4117) and the container (4105)', async () => {
    const first = base('Crestart', { container: { rn: 'c' } });
    await first.start();
    await first.close();
    const again = base('Crestart', { container: { rn: 'c' } });
    await again.start();
    expect((await again.post('x')).rsc).toBe(2001);
    await again.close();
  });

  it('subscribes to its container and receives the notification for each new contentInstance', async () => {
    const ae = base('Csub', {
      container: { rn: 'c' },
      subscribe: true,
      transport: { kind: 'http', url, notify: { host: '127.0.0.1', port: 0 } },
    });
    await ae.start();
    const got = new Promise((resolve) => ae.once('notification', resolve));
    expect((await ae.post('ping')).rsc).toBe(2001);
    const n = (await got) as { sgn: any };
    expect(n.sgn.nev.rep['m2m:cin'].con).toBe('ping');
    await ae.close();
  });

  it('names the failing step and status when registration is refused', async () => {
    const bad = new ReferenceAe({
      registrar: { cseId: '/id-mn', cseBaseName: 'cse-mn' },
      transport: { kind: 'http', url },
      stem: 'Cbad',
      appId: 'bad-app-id',
    });
    await expect(bad.start()).rejects.toThrow(/CREATE <AE> answered 4000/);
    await bad.close();
  });
});

describe('load generator', () => {
  it('runs N AEs posting for a while and reports percentiles and failures', async () => {
    const r = await runLoad({
      count: 3,
      ae: (i) => ({
        registrar: { cseId: '/id-mn', cseBaseName: 'cse-mn' },
        transport: { kind: 'http', url },
        stem: `Cload${i}`,
        appId: 'Nload',
        container: { rn: 'c' },
      }),
      intervalMs: 50,
      durationMs: 600,
    });
    expect(r.started).toBe(3);
    expect(r.failedToStart).toBe(0);
    expect(r.posts).toBeGreaterThanOrEqual(3);
    expect(r.errors).toBe(0);
    expect(r.latency.p50).toBeGreaterThan(0);
    expect(r.latency.p99).toBeGreaterThanOrEqual(r.latency.p50!);
  });

  it('percentiles are nearest-rank', () => {
    expect(percentiles([5, 1, 4, 2, 3], [50, 90, 99])).toEqual({ p50: 3, p90: 5, p99: 5 });
    expect(
      percentiles(
        Array.from({ length: 100 }, (_, i) => i + 1),
        [50, 90, 99],
      ),
    ).toEqual({ p50: 50, p90: 90, p99: 99 });
  });
});

describe('configuration file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'm2msec-ae-cfg-'));
  const write = (name: string, v: unknown) => {
    const p = join(dir, name);
    writeFileSync(p, typeof v === 'string' ? v : JSON.stringify(v), { mode: 0o600 }); // keys: owner-only or refused
    return p;
  };

  it('reads a PSK over HTTPS from its key file; refuses an https URL without a credential', () => {
    const key = write('k.hex', '00112233445566778899aabbccddeeff');
    const ok = readConfig(
      write('ok.json', {
        registrar: { cseId: '/id-mn', cseBaseName: 'cse-mn' },
        transport: { kind: 'http', url: 'https://x:1', psk: { identity: 'kpsa1', keyFile: key } },
        appId: 'Nx',
        stem: 'Cx',
      }),
    );
    const o = aeOptions(ok);
    expect(o.transport.kind === 'http' && o.transport.framework?.kind).toBe('psk');
    const noCred = readConfig(
      write('no.json', {
        registrar: { cseId: '/id-mn', cseBaseName: 'cse-mn' },
        transport: { kind: 'http', url: 'https://x:1' },
        appId: 'Nx',
      }),
    );
    expect(() => aeOptions(noCred)).toThrow(/https transport.url needs/);
    expect(() =>
      readConfig(
        write('mq.json', {
          registrar: { cseId: '/id-mn', cseBaseName: 'cse-mn' },
          transport: { kind: 'mqtt', url: 'mqtts://x' },
          appId: 'Nx',
        }),
      ),
    ).toThrow(/MQTT AE needs/);
  });

  it('transport.kind coap: a PSK from its key file; plain coap:// and an AE without one credential refused', () => {
    const key = write('kc.hex', '00112233445566778899aabbccddeeff');
    const coap = (name: string, transport: Record<string, unknown>) =>
      write(name, { registrar: { cseId: '/id-mn', cseBaseName: 'cse-mn' }, transport, appId: 'Nx', stem: 'Cx' });
    const o = aeOptions(
      readConfig(coap('c1.json', { kind: 'coap', url: 'coaps://x:5684', psk: { identity: 'kpsa1', keyFile: key } })),
    );
    expect(o.transport.kind === 'coap' && o.transport.psk?.key.toString('hex')).toBe(
      '00112233445566778899aabbccddeeff',
    );
    expect(() =>
      readConfig(coap('c2.json', { kind: 'coap', url: 'coap://x:5683', psk: { identity: 'kpsa1', keyFile: key } })),
    ).toThrow(/must be coaps:\/\/ \(DTLS\)/);
    expect(() => readConfig(coap('c3.json', { kind: 'coap', url: 'coaps://x:5684' }))).toThrow(
      /exactly one of transport.psk and transport.certificate/,
    );
  });

  it('the load command runs N AEs against the CSE and prints the result', async () => {
    const main = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'main.ts');
    const cfg = write('load.json', {
      registrar: { cseId: '/id-mn', cseBaseName: 'cse-mn' },
      transport: { kind: 'http', url },
      appId: 'Nload',
      container: { rn: 'c' },
    });
    // Asynchronous: the CSE serving it runs in this process.
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        main,
        'load',
        '--config',
        cfg,
        '--count',
        '3',
        '--interval-ms',
        '50',
        '--duration-ms',
        '1500',
        '--stem-prefix',
        'Ccli',
        '--print-acks',
        '1',
      ],
      {
        env: { ...process.env, NODE_OPTIONS: '--conditions=source' },
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const code = await new Promise((r) => child.once('exit', r));
    expect(code, stderr).toBe(0);
    const result = JSON.parse(stdout.trim().split('\n').at(-1)!);
    expect(result).toMatchObject({ event: 'load-result', started: 3, failedToStart: 0, errors: 0 });
    expect(result.posts).toBeGreaterThanOrEqual(3);
    expect(stderr).toMatch(/AEs 3\/3 \(0 failed\)/); // the progress line
    // --print-acks: one line per acknowledged CREATE, naming a contentInstance the CSE holds.
    const acked = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .filter((e) => e.event === 'acked');
    expect(acked.length).toBe(result.posts);
    expect(acked[0].path).toMatch(/^cse-mn\/Ccli\d\/c\/\S+$/);
  });

  it('the process refuses a bad configuration with a clear message and exit code 2', () => {
    const main = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'main.ts');
    const r = spawnSync(
      process.execPath,
      ['--import', 'tsx', main, 'run', '--config', write('bad.json', { registrar: { cseId: 'x' } })],
      {
        encoding: 'utf8',
        env: { ...process.env, NODE_OPTIONS: '--conditions=source' },
      },
    );
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/registrar.cseId must be like \/id-mn/);
  });
});
