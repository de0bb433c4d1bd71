#!/usr/bin/env node
import { createInterface } from 'node:readline';
// The AE process.
//   m2msec-ae run  --config ae.json   one AE: registers, sets up, posts every intervalMs; prints JSON
//                                     lines (ready / posted / notification / response / error) and
//                                     takes JSON-line commands on stdin: {"id":1,"op":2,"to":"..."}
//                                     (any request primitive fields) or {"id":2,"cmd":"post","con":...};
//                                     "watch": {"to","everyMs"} prints a "retrieved" line per RETRIEVE
//   m2msec-ae load --config ae.json --count N [--interval-ms 1000] [--duration-ms 10000] [--stem-prefix Csim]
//                  [--print-acks 1]      also a JSON line {"event":"acked","path":...} per acknowledged CREATE;
//                                        SIGTERM ends the load early, the result is printed all the same
import { answerHelpAndVersion } from '@m2msec/node/cli';
import { type AeFileConfig, aeOptions, ConfigError, readConfig } from './config.js';
import { aeDeviceConfig } from './device-config.js';
import { progressPrinter, runLoad } from './load.js';
import { ReferenceAe } from './reference-ae.js';
import { plainError } from './transport-failure.js';

// --help / --version answer before anything is read or opened (issue 19).
answerHelpAndVersion({
  name: 'm2msec-ae',
  packageJson: new URL('../package.json', import.meta.url),
  summary: 'the reference AE: runs one AE or a load of simulated AEs against a CSE',
  usage: [
    'run --config <ae.json>',
    'load --config <ae.json> --count <N> [--interval-ms <ms>] [--duration-ms <ms>] [--stem-prefix <Csim>] [--print-acks 1]',
  ],
  details:
    'run prints JSON lines (ready / posted / notification / response / error) and takes JSON-line commands on stdin.\nSee apps/ae/README.md.',
});

const out = (o: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(o)}\n`);
/** The configured transport, once read: a TLS failure is then explained by the option to check. */
let transport: AeFileConfig['transport'] | undefined;

function args(argv: string[]): Map<string, string> {
  const m = new Map<string, string>();
  for (let i = 0; i < argv.length; i += 2) {
    if (!argv[i]!.startsWith('--') || argv[i + 1] === undefined)
      throw new ConfigError(`unexpected argument '${argv[i]}'`);
    m.set(argv[i]!.slice(2), argv[i + 1]!);
  }
  return m;
}

function int(m: Map<string, string>, name: string, def: number): number {
  const v = m.get(name);
  if (v === undefined) return def;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new ConfigError(`--${name} must be a non-negative integer`);
  return n;
}

async function run(configPath: string): Promise<void> {
  const config = readConfig(configPath);
  transport = config.transport;
  const options = aeOptions(config);
  const deviceConfig = aeDeviceConfig(config, options, configPath);
  const ae = new ReferenceAe(options);
  ae.on('notification', (n) => out({ event: 'notification', from: n.from, sgn: n.sgn }));
  await ae.start();
  out({ event: 'ready', aeId: ae.aeId, stem: ae.stem });
  const device = deviceConfig?.start(ae.aeId, out);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    device?.stop();
    await ae.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
  const lines = createInterface({ input: process.stdin });
  lines.on('line', async (line) => {
    let cmd: Record<string, unknown>;
    try {
      cmd = JSON.parse(line);
    } catch {
      out({ event: 'error', message: 'command is not JSON' });
      return;
    }
    const id = cmd.id;
    const started = performance.now();
    try {
      const { id: _i, cmd: verb, con, ...req } = cmd;
      const r =
        verb === 'post'
          ? await ae.post(con, typeof req.to === 'string' ? req.to : undefined)
          : await ae.request(req as never);
      const ms = Math.round(performance.now() - started);
      out({ event: 'response', id, rsc: r.rsc, pc: r.pc, dbg: r.dbg, ms, ...(await ae.openContent(r.pc)) });
    } catch (e) {
      const rsc = (e as { rsc?: number }).rsc;
      out({
        event: 'response',
        id,
        rsc: rsc ?? 0,
        dbg: plainError(e, transport),
        ms: Math.round(performance.now() - started),
      });
    }
  });
  if (config.watch) {
    const { to, everyMs } = config.watch;
    const timer = setInterval(async () => {
      try {
        const r = await ae.retrieve(to);
        const con = (r.pc as { 'm2m:cin'?: { con?: unknown } } | undefined)?.['m2m:cin']?.con;
        out({
          event: 'retrieved',
          to,
          rsc: r.rsc,
          ...(con !== undefined ? { con } : {}),
          ...(r.dbg ? { dbg: r.dbg } : {}),
          ...(await ae.openContent(r.pc)),
        });
      } catch (e) {
        out({ event: 'retrieved', to, rsc: (e as { rsc?: number }).rsc ?? 0, dbg: plainError(e, transport) });
      }
    }, everyMs);
    process.once('beforeExit', () => clearInterval(timer));
  }
  const interval = config.intervalMs ?? 0;
  let seq = 0;
  while (interval > 0 && !stopping && (!config.count || seq < config.count)) {
    const n = seq++;
    const started = performance.now();
    try {
      const r = await ae.post({ seq: n, value: Math.round(Math.random() * 1000) / 10, at: new Date().toISOString() });
      out({ event: 'posted', seq: n, rsc: r.rsc, dbg: r.dbg, ms: Math.round(performance.now() - started) });
    } catch (e) {
      out({ event: 'posted', seq: n, rsc: (e as { rsc?: number }).rsc ?? 0, dbg: plainError(e, transport) });
    }
    await new Promise((r) => setTimeout(r, interval));
  }
}

async function load(configPath: string, m: Map<string, string>): Promise<void> {
  const config = readConfig(configPath);
  transport = config.transport;
  const count = int(m, 'count', 10);
  const prefix = m.get('stem-prefix') ?? 'Csim';
  // SIGTERM (docker stop) ends the load early and still prints its result.
  const stop = new AbortController();
  process.once('SIGTERM', () => stop.abort());
  const result = await runLoad({
    signal: stop.signal,
    count,
    ae: (i) => aeOptions(config, `${prefix}${i}`),
    intervalMs: int(m, 'interval-ms', 1000),
    durationMs: int(m, 'duration-ms', 10_000),
    onProgress: progressPrinter(process.stderr, count),
    ...(int(m, 'print-acks', 0) === 1 ? { onAcknowledged: (path: string) => out({ event: 'acked', path }) } : {}),
  });
  process.stderr.write('\n');
  out({ event: 'load-result', ...result });
}

async function main(): Promise<void> {
  const [mode = 'run', ...rest] = process.argv.slice(2);
  const m = args(rest);
  const config = m.get('config') ?? process.env.M2MSEC_CONFIG;
  if (!config) throw new ConfigError('--config <file.json> (or M2MSEC_CONFIG) is required');
  if (mode === 'run') await run(config);
  else if (mode === 'load') await load(config, m);
  else throw new ConfigError(`unknown mode '${mode}' (run, load)`);
}

main().catch((e) => {
  const message = e instanceof ConfigError ? e.message : `failed: ${plainError(e, transport)}`;
  out({ event: 'error', message });
  process.stderr.write(`ae: ${message}\n`);
  process.exit(e instanceof ConfigError ? 2 : 1);
});
