// GET requests/s through the binding (trivial handler) vs a bare express handler answering the same
// JSON, measured in the same run. Each server runs in its own child process, the load generator
// (keep-alive agent, a fixed number of requests in flight) in this one.

import { fork } from 'node:child_process';
import http from 'node:http';
import { fileURLToPath } from 'node:url';

const CONCURRENCY = 32;
const WARMUP_MS = 500;
const ROUND_MS = Number(process.env.BENCH_ROUND_MS ?? 1_000);
const ROUNDS = 5;

async function serve(kind: 'express' | 'binding'): Promise<{ port: number; stop: () => Promise<void> }> {
  const child = fork(fileURLToPath(new URL('./server.ts', import.meta.url)), [kind], {
    // The server process needs tsx's loader and the workspace 'source' condition like this one.
    execArgv: ['--import', 'tsx', '--conditions=source'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m) => resolve(m as number));
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`bench server exited with ${code}`)));
  });
  return {
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill();
      }),
  };
}

function get(agent: http.Agent, port: number, i: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path: '/~/id-in/cse-in/cnt1?rcn=1',
        agent,
        headers: { 'X-M2M-Origin': 'CAdmin', 'X-M2M-RI': `b${i}`, 'X-M2M-RVI': '3', Accept: 'application/json' },
      },
      (res) => {
        if (res.statusCode !== 200) reject(new Error(`HTTP ${res.statusCode}`));
        res.resume();
        res.on('end', resolve);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** Completed requests per second with CONCURRENCY requests always in flight. */
async function load(port: number, ms: number): Promise<number> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  let done = 0;
  let i = 0;
  const end = performance.now() + ms;
  const loop = async () => {
    while (performance.now() < end) {
      await get(agent, port, i++);
      done++;
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, loop));
  const elapsed = performance.now() - start;
  agent.destroy();
  return (done * 1000) / elapsed;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

// Both servers stay up; rounds alternate between them so background load on the machine hits both alike.
const express = await serve('express');
const binding = await serve('binding');
const rates = { express: [] as number[], binding: [] as number[] };
try {
  await load(express.port, WARMUP_MS);
  await load(binding.port, WARMUP_MS);
  for (let round = 0; round < ROUNDS; round++) {
    rates.express.push(await load(express.port, ROUND_MS));
    rates.binding.push(await load(binding.port, ROUND_MS));
  }
} finally {
  await express.stop();
  await binding.stop();
}
const base = median(rates.express);
const ours = median(rates.binding);
const fmt = (n: number) => n.toFixed(0).padStart(8);
console.log(`GET, keep-alive, ${CONCURRENCY} in flight, median of ${ROUNDS} alternating rounds of ${ROUND_MS} ms`);
console.log(`  bare express handler (baseline) ${fmt(base)} req/s`);
console.log(`  oneM2M HTTP binding             ${fmt(ours)} req/s`);
console.log(`  ratio binding / baseline        ${(ours / base).toFixed(2)}`);
