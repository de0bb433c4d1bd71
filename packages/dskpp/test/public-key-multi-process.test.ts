// The public-key 4-pass across two MEF processes behind a round-robin HTTP proxy: every request goes
// to the next backend, so pass 1 is answered by one instance and pass 3 by the other, with no
// connection affinity. The instances share configuration (state key, certificate and key) and a
// PostgreSQL store holding the replay guard, so a replayed pass 3 is refused whichever instance it reaches.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeMessage, httpTransport } from '../src/index.js';
import { makePki } from './certs.js';
import { clientFor, clientRecord, DEVICE, openSe, pskctoolValidate, run } from './helpers.js';

const here = dirname(fileURLToPath(import.meta.url));
const PG_URL = process.env.M2MSEC_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const SCHEMA = `dskpp_pk_${randomBytes(4).toString('hex')}`;
const SERVER_NAME = 'mef.m2msec.example';

interface Instance {
  child: ChildProcessWithoutNullStreams;
  port: number;
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
    return { child, port: Number(port), pid: Number(pid), next };
  });
}

/** A round-robin HTTP proxy: request n goes to backend n mod 2; it records which backend answered. */
function roundRobinProxy(ports: number[]): Promise<{ server: Server; url: string; answeredBy: number[] }> {
  let n = 0;
  const answeredBy: number[] = [];
  const server = createServer((req, res) => {
    const port = ports[n++ % ports.length] as number;
    const up = request(
      { host: '127.0.0.1', port, path: req.url, method: req.method, headers: { ...req.headers, connection: 'close' } },
      (upRes) => {
        answeredBy.push(Number(upRes.headers['x-m2msec-instance']));
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        upRes.pipe(res);
      },
    );
    up.on('error', () => {
      res.writeHead(502);
      res.end();
    });
    req.pipe(up);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/dskpp`, answeredBy }),
    ),
  );
}

describe('public-key stateless 4-pass across two MEF processes behind a round-robin proxy', () => {
  const record = clientRecord();
  const pki = makePki(SERVER_NAME);
  const config = {
    serverUrl: `https://${SERVER_NAME}/dskpp`, // URL_S: the balancer's address, the same for every instance
    serverId: SERVER_NAME,
    stateKey: { id: 7, key: randomBytes(32).toString('hex') },
    publicKey: { cert: pki.serverCertPem, key: pki.serverKeyPem },
    replayStore: { url: PG_URL, schema: SCHEMA },
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
  let proxy: Awaited<ReturnType<typeof roundRobinProxy>>;
  beforeAll(async () => {
    // The first instance creates the schema; the second finds it.
    a = await startInstance(config);
    b = await startInstance(config);
    proxy = await roundRobinProxy([a.port, b.port]);
  }, 90_000);
  afterAll(async () => {
    await new Promise((r) => proxy?.server.close(r));
    const exits = [a, b].map((i) => i && new Promise((r) => i.child.once('exit', r)));
    for (const i of [a, b]) i?.child.stdin.end();
    await Promise.all(exits);
    run('psql', [PG_URL, '-qc', `DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`]);
  });

  it('pass 1 on one instance, pass 3 on the other; the same key on the client and that instance; a replayed pass 3 is refused by both', async () => {
    const { se } = await openSe();
    const toProxy = httpTransport(proxy.url);
    let nego = '';
    const result = await clientFor({ url: config.serverUrl, record }, se, {
      sharedKey: undefined,
      serverTrust: { anchors: [pki.caPem], serverName: SERVER_NAME },
      transport: (xml) => {
        if (decodeMessage(xml).type === 'KeyProvClientNonce') nego = xml;
        return toProxy(xml);
      },
    }).fourPassPublicKey();
    expect(proxy.answeredBy).toEqual([a.pid, b.pid]);
    expect(a.pid).not.toBe(b.pid);

    const v = pskctoolValidate(result.keyContainerXml);
    expect(v.ok, v.output).toBe(true);

    // B holds the key the client holds; A holds none.
    const challenge = randomBytes(32);
    const clientTag = Buffer.from(await se.mac(result.key, challenge, 'AES-CMAC')).toString('hex');
    b.child.stdin.write(`TAG ${result.keyId} ${challenge.toString('hex')}\n`);
    expect(await b.next()).toBe(`TAG ${clientTag}`);
    a.child.stdin.write(`TAG ${result.keyId} ${challenge.toString('hex')}\n`);
    expect(await a.next()).toBe('TAG none');

    // Replays of pass 3: the next goes to A (which never saw this run), the one after to B.
    for (const expected of [a.pid, b.pid]) {
      const answer = decodeMessage(await toProxy(nego));
      expect(proxy.answeredBy.at(-1)).toBe(expected);
      expect(answer.type === 'KeyProvServerFinished' && answer.status).toBe('Abort');
    }
    await se.close();
  }, 60_000);

  it('two clients at once, each run split across both instances, both succeed', async () => {
    const runs = await Promise.all(
      [0, 1].map(async () => {
        const { se } = await openSe();
        const r = await clientFor({ url: config.serverUrl, record }, se, {
          serverTrust: { anchors: [pki.caPem], serverName: SERVER_NAME },
          transport: httpTransport(proxy.url),
        }).fourPassPublicKey();
        await se.close();
        return r.keyId;
      }),
    );
    expect(new Set(runs).size).toBe(2);
  }, 60_000);
});
