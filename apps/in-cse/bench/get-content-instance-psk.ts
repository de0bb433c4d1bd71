// pnpm bench (in-cse): GET `la` of a container under an <accessControlPolicy> over kept-alive TLS-PSK
// sessions (TS-0003 8.2.2.1, Kpsa; the reader AE registered inside its association, so its AE-ID is bound to
// the credential) against a bare Node TLS-PSK HTTPS server answering the same body (issue 21: >= 0.5).
// Both sides use TLS 1.2 with the TS-0003 10.2 PSK suites; the IN-CSE writes its access log to a file.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pskClientOptions } from '@m2msec/saef';
import { freePort, m2m } from '../test/harness.js';
import { credentialsCli, prepareSecureInCse } from '../test/saef-setup.js';
import { type LoadResult, load } from './load.js';
import { createProtectedScenario, LATEST, READER_HEADERS } from './protected-get-setup.js';

const here = dirname(fileURLToPath(import.meta.url));
const seconds = Number(process.env.BENCH_SECONDS ?? 2);
const identity = 'bench-reader@mef.m2msec.org';
const key = randomBytes(32);
const tls = pskClientOptions({ identity, key });

/** One request over TLS-PSK (a fresh session), answered as status, rsc and parsed body. */
function pskRequest(port: number, method: string, path: string, headers: Record<string, string>, body?: unknown) {
  return new Promise<{ rsc: number; body: unknown }>((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = https.request({ host: '127.0.0.1', port, method, path, headers, agent: false, ...tls }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => {
        text += c;
      });
      res.on('end', () =>
        resolve({ rsc: Number(res.headers['x-m2m-rsc']), body: text ? JSON.parse(text) : undefined }),
      );
    });
    req.on('error', reject);
    req.end(payload);
  });
}

async function startBaseline(body: unknown): Promise<{ port: number; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(here, 'bare-node-https-psk.ts'), JSON.stringify(body), identity],
    { env: { ...process.env, PORT: String(port) }, stdio: ['pipe', 'pipe', 'inherit'] },
  );
  child.stdin!.end(key.toString('hex'));
  await new Promise<void>((resolve) => child.stdout!.once('data', () => resolve()));
  return { port, child };
}

async function main() {
  const logFile = join(mkdtempSync(join(tmpdir(), 'm2msec-bench-log-')), 'in-cse.log');
  const prepared = await prepareSecureInCse(
    {},
    {
      registration: {
        appRules: [
          { name: 'open-registration', allowedAppIDs: ['*'], allowedAEs: ['*'] },
          { name: 'psk-readers', applicableCredIDs: [`12-${identity}`], allowedAppIDs: ['Nbench'], allowedAEs: ['*'] },
        ],
      },
    },
  );
  credentialsCli(
    prepared.configPath,
    prepared.dataDir,
    ['add-psk', '--id', identity, '--key-file', '-'],
    key.toString('hex'),
  );
  const s = await prepared.start({ M2MSEC_LOG_LEVEL: 'info', M2MSEC_LOG_FILE: logFile });
  const { cse, pskPort } = s;

  // The reader registers inside its association (AE-ID bound to the Kpsa); the rest over plain HTTP.
  const aeBody = { 'm2m:ae': { api: 'Nbench', rr: false, srv: ['3'] } };
  const reg = await pskRequest(pskPort, 'POST', '/cse-in', { ...json(2), 'X-M2M-Origin': 'Creader' }, aeBody);
  if (reg.rsc !== 2001) throw new Error(`bench setup: reader registration over TLS-PSK answered ${reg.rsc}`);
  await createProtectedScenario(cse, { registerReader: false });
  const sample = await pskRequest(pskPort, 'GET', LATEST, READER_HEADERS);
  if (sample.rsc !== 2000) throw new Error(`bench setup: GET la over TLS-PSK answered ${sample.rsc}`);
  const plain = await m2m(cse.url, 'GET', LATEST, { from: 'Creader' });
  if (plain.rsc !== 4106)
    throw new Error(`bench setup: the bound reader on plain HTTP answered ${plain.rsc}, not 4106`);
  const bare = await startBaseline(sample.body);

  const urls = { cse: `https://127.0.0.1:${pskPort}${LATEST}`, bare: `https://127.0.0.1:${bare.port}${LATEST}` };
  for (const url of Object.values(urls))
    await load(url, READER_HEADERS, { concurrency: 16, seconds: 1, maxRequests: 1e6, tls });
  const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
  const results = { cse: [] as LoadResult[], bare: [] as LoadResult[] };
  const ratios: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const c = await load(urls.cse, READER_HEADERS, { concurrency: 32, seconds, maxRequests: 2e6, tls });
    const b = await load(urls.bare, READER_HEADERS, { concurrency: 32, seconds, maxRequests: 2e6, tls });
    results.cse.push(c);
    results.bare.push(b);
    ratios.push(c.perSecond / b.perSecond);
  }
  bare.child.kill();
  await cse.stop();
  rmSync(prepared.dataDir, { recursive: true, force: true });
  const accessLines = readFileSync(logFile, 'utf8')
    .split('\n')
    .filter((l) => l.includes('"kind":"access"') && l.includes('"association":"psk"')).length;
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const perSecond = (rs: LoadResult[]) =>
    median(rs.map((r) => r.perSecond))
      .toFixed(0)
      .padStart(8);
  console.log(
    `GET ${LATEST} over kept-alive TLS 1.2 PSK sessions (Kpsa, bound AE-ID, an ACP), 32 connections, ${rounds} alternating rounds of ${seconds} s`,
  );
  console.log(`  bare Node TLS-PSK server:   ${perSecond(results.bare)} req/s (median)`);
  console.log(`  IN-CSE (ACP checks on):     ${perSecond(results.cse)} req/s (median), access log to a file`);
  const opened = (rs: LoadResult[]) => rs.map((r) => r.connections).join(' ');
  console.log(`  connections opened per round: IN-CSE ${opened(results.cse)}; bare ${opened(results.bare)}`);
  console.log(
    `  ratio IN-CSE / bare:        ${median(ratios).toFixed(2)} median (rounds: ${ratios.map((r) => r.toFixed(2)).join(' ')}; target >= 0.50)`,
  );
  const errors = [...results.cse, ...results.bare].reduce((n, r) => n + r.errors, 0);
  if (errors > 0) {
    console.log(`  ${errors} requests failed`);
    process.exitCode = 1;
  }
  const served = results.cse.reduce((n, r) => n + r.requests, 0);
  if (accessLines < served) {
    console.log(`  only ${accessLines} PSK access lines for ${served} requests`);
    process.exitCode = 1;
  }
}

function json(ty: number): Record<string, string> {
  return {
    'Content-Type': `application/json;ty=${ty}`,
    'X-M2M-RI': 'setup',
    'X-M2M-RVI': '3',
    Accept: 'application/json',
  };
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
