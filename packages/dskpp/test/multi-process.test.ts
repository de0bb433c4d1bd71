// Stateless 4-pass across two MEF processes that share only configuration: passes 1-2 go to one
// Node process, passes 3-4 to another (a load balancer's view), over real HTTP.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DskppError, decodeMessage, httpTransport } from '../src/index.js';
import { clientFor, clientRecord, DEVICE, openSe } from './helpers.js';

const here = dirname(fileURLToPath(import.meta.url));

interface Instance {
  child: ChildProcessWithoutNullStreams;
  url: string;
  pid: number;
  next(): Promise<string>;
}

function startInstance(config: unknown): Promise<Instance> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--conditions=source', join(here, 'fixtures', 'mef-process.ts')],
    { cwd: join(here, '..'), env: { ...process.env, M2MSEC_DSKPP_CONFIG: JSON.stringify(config) } },
  );
  const lines: string[] = [];
  const waiters: Array<(l: string) => void> = [];
  createInterface({ input: child.stdout }).on('line', (l) => {
    const w = waiters.shift();
    if (w) w(l);
    else lines.push(l);
  });
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  const next = () =>
    new Promise<string>((resolve, reject) => {
      const l = lines.shift();
      if (l !== undefined) return resolve(l);
      waiters.push(resolve);
      child.once('exit', (code) => reject(new Error(`MEF process exited (${code}): ${stderr}`)));
    });
  return next().then((ready) => {
    const [, port, pid] = ready.split(' ');
    return { child, url: `http://127.0.0.1:${port}/dskpp`, pid: Number(pid), next };
  });
}

describe('stateless 4-pass across two MEF processes', () => {
  const record = clientRecord();
  const config = {
    serverUrl: 'https://mef.lb.example/dskpp', // URL_S: the balancer's address, the same for every instance
    serverId: 'mef.m2msec.example',
    stateKey: { id: 3, key: randomBytes(32).toString('hex') },
    client: {
      clientId: record.clientId,
      authenticationCode: Buffer.from(record.authenticationCode).toString('hex'),
      sharedKeyName: record.sharedKey.name,
      sharedKey: Buffer.from(record.sharedKey.key).toString('hex'),
      device: DEVICE,
    },
  };
  let a: Instance;
  let b: Instance;
  beforeAll(async () => {
    [a, b] = await Promise.all([startInstance(config), startInstance(config)]);
  }, 60_000);
  afterAll(() => {
    for (const i of [a, b]) i?.child.stdin.end();
  });

  it('pass 1-2 on process A, pass 3-4 on process B: same key on the client and on B, none on A', async () => {
    expect(a.pid).not.toBe(b.pid);
    const seen: string[] = [];
    const toA = httpTransport(a.url);
    const toB = httpTransport(b.url);
    const { se } = await openSe();
    const client = clientFor({ url: config.serverUrl, record }, se, {
      transport: async (xml) => {
        const type = decodeMessage(xml).type;
        seen.push(`${type}->${type === 'KeyProvClientHello' ? 'A' : 'B'}`);
        return type === 'KeyProvClientHello' ? toA(xml) : toB(xml);
      },
    });
    const result = await client.fourPass();
    expect(seen).toEqual(['KeyProvClientHello->A', 'KeyProvClientNonce->B']);

    const challenge = randomBytes(32);
    const clientTag = Buffer.from(await se.mac(result.key, challenge, 'AES-CMAC')).toString('hex');
    b.child.stdin.write(`TAG ${result.keyId} ${challenge.toString('hex')}\n`);
    expect(await b.next()).toBe(`TAG ${clientTag}`);
    a.child.stdin.write(`TAG ${result.keyId} ${challenge.toString('hex')}\n`);
    expect(await a.next()).toBe('TAG none');
    await se.close();
  });

  it('a process with another state key cannot finish the run (UnknownRequest from the peer)', async () => {
    const c = await startInstance({ ...config, stateKey: { id: 3, key: randomBytes(32).toString('hex') } });
    try {
      const { se } = await openSe();
      const toA = httpTransport(a.url);
      const toC = httpTransport(c.url);
      const client = clientFor({ url: config.serverUrl, record }, se, {
        transport: (xml) => (decodeMessage(xml).type === 'KeyProvClientHello' ? toA(xml) : toC(xml)),
      });
      const err = await client.fourPass().catch((e) => e);
      expect(err).toBeInstanceOf(DskppError);
      expect([err.status, err.fromPeer]).toEqual(['UnknownRequest', true]);
      expect((await se.listKeys()).map((k) => k.id)).toEqual(['attest']);
      await se.close();
    } finally {
      c.child.stdin.end();
    }
  }, 60_000);
});
