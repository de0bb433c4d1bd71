// Two IN-CSE processes on one PostgreSQL schema (the scale-out set-up, docs/scale-out.md), eight writers
// creating <contentInstance>s under ONE container through both. Contention on the container's counters
// must queue, never answer 5000 (the originator could not act on it: nothing was wrong with its request),
// every acknowledged instance must be stored (or evicted by mni, oldest first), and cni/cbs must equal
// what is stored.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { ResourceType } from '@m2msec/protocol';
import { afterAll, describe, expect, it } from 'vitest';
import { dropTestSchemas, openCseOn, PG_URL } from './both-stores.js';

afterAll(dropTestSchemas);

const here = dirname(fileURLToPath(import.meta.url));
const PER_PROCESS = 4; // writers in each of the two processes
const PER_WRITER = 40;
// Fewer attempts than the store's default (10), so that the test shows the queueing itself and not luck
// in the re-runs: without it, some groups here needed 4 to 7 attempts in every run, and a few hundred
// CREATEs answered 5000 only now and then (more often on a busier machine).
const ATTEMPTS = 3;

interface Outcome {
  rsc: number[];
  acked: Array<{ ri: string; ct: string; cs: number }>;
  debug: string[];
}

interface Writers {
  go(): Promise<Outcome>;
  kill(): void;
}

/** Starts a CSE process on `schema` and resolves once it is ready to write. */
function startWriters(schema: string, tag: string): Promise<Writers> {
  const config = {
    url: PG_URL,
    schema,
    attempts: ATTEMPTS,
    to: 'cse-in/Cw/box',
    fr: 'Cw',
    writers: PER_PROCESS,
    perWriter: PER_WRITER,
    tag,
  };
  const child: ChildProcessWithoutNullStreams = spawn(
    process.execPath,
    ['--import', 'tsx', '--conditions=source', join(here, 'fixtures', 'cin-writers.ts')],
    { cwd: join(here, '..'), env: { ...process.env, M2MSEC_WRITERS: JSON.stringify(config) } },
  );
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) => reject(new Error(`writer process exited (${code}): ${stderr}`))),
  );
  exited.catch(() => undefined);
  const line = async () => {
    const next = await Promise.race([lines.next(), exited]);
    if (next.done) throw new Error(`writer process ended its output: ${stderr}`);
    return next.value as string;
  };
  return line().then((ready) => {
    expect(ready).toBe('READY');
    return {
      go: async () => {
        child.stdin.write('GO\n');
        return JSON.parse(await line()) as Outcome;
      },
      kill: () => {
        if (child.exitCode === null) child.kill();
      },
    };
  });
}

describe('two IN-CSE processes on one PostgreSQL schema, one container', () => {
  it.each([
    { label: 'without mni', mni: undefined },
    { label: 'mni 100, eviction', mni: 100 },
  ])('concurrent contentInstance CREATEs never answer 5000 ($label)', { timeout: 240_000 }, async ({ mni }) => {
    const setup = await openCseOn('postgres');
    const started: Writers[] = [];
    try {
      await setup.registerAe('Cw');
      const cnt = await setup.make('cse-in/Cw', 'Cw', ResourceType.container, 'm2m:cnt', {
        rn: 'box',
        ...(mni === undefined ? {} : { mni }),
      });
      const schema = setup.store.schema!;
      started.push(...(await Promise.all([startWriters(schema, 'a'), startWriters(schema, 'b')])));
      const outcomes = await Promise.all(started.map((w) => w.go()));

      const answers: Record<number, number> = {};
      for (const o of outcomes) for (const rsc of o.rsc) answers[rsc] = (answers[rsc] ?? 0) + 1;
      expect({ answers, debug: outcomes.flatMap((o) => o.debug) }).toEqual({
        answers: { 2001: 2 * PER_PROCESS * PER_WRITER },
        debug: [],
      });
      const acked = new Map(outcomes.flatMap((o) => o.acked).map((c) => [c.ri, c]));

      const present = await setup.store.resources.children(cnt.ri as string, { ty: [ResourceType.contentInstance] });
      const presentRi = new Set(present.map((p) => p.ri));
      // Nothing unacknowledged was stored; nothing acknowledged is missing except by eviction.
      for (const p of present) expect(acked.has(p.ri)).toBe(true);
      expect(present.length).toBe(mni === undefined ? acked.size : Math.min(mni, acked.size));
      if (mni === undefined) {
        expect(present.length).toBe(2 * PER_PROCESS * PER_WRITER);
      } else {
        // Eviction removed the oldest: every evicted instance is older than every remaining one.
        const oldestKept = present.map((p) => p.ct).sort()[0]!;
        for (const c of acked.values()) if (!presentRi.has(c.ri)) expect(c.ct < oldestKept).toBe(true);
      }
      const container = await setup.store.resources.get(cnt.ri as string);
      expect(container?.cni).toBe(present.length);
      expect(container?.cbs).toBe(present.reduce((n, p) => n + (p.cs as number), 0));
    } finally {
      for (const w of started) w.kill();
      await setup.close();
    }
  });
});
