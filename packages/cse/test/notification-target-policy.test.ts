// Issue 12 item 9, the notification target policy (SSRF). Every refusal here happens before any packet is
// sent: the policy decides on literals or on an injected resolver's answers (no DNS traffic), and a spy on
// net.Socket.prototype.connect proves no connection is attempted for a refused target. The only sockets
// these tests open are to 127.0.0.1 servers of their own.
import { createServer, type Server } from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { HttpRequestSender } from '@m2msec/binding-http';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  NotificationTargetPolicy,
  type NotificationTargetPolicyConfig,
  TARGET_NOT_REACHABLE_TEXT,
} from '../src/index.js';
import { openTestCse } from './setup.js';

const noDns = async (host: string): Promise<never> => {
  throw new Error(`unexpected DNS lookup of ${host}`);
};

async function refusedBy(policy: NotificationTargetPolicy, poa: string): Promise<string> {
  try {
    await policy.admit(poa);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error(`${poa} was admitted`);
}

describe('NotificationTargetPolicy.admit (no network)', () => {
  const policy = new NotificationTargetPolicy({ resolver: noDns });
  it.each([
    'http://169.254.169.254/latest/meta-data/', // cloud metadata (link-local)
    'http://[fe80::1]/',
    'http://127.0.0.1:22/', // another service's loopback port
    'http://127.1.2.3/',
    'http://[::1]:5432/',
    'http://10.0.0.1/',
    'http://172.16.5.4/',
    'http://172.31.255.255/',
    'http://192.168.1.1/',
    'http://[fc00::1]/',
    'http://[fd00:ec2::254]/', // AWS IPv6 metadata
    'http://100.100.100.200/', // Alibaba metadata (shared address space)
    'http://192.0.0.192/', // Oracle metadata
    'http://0.0.0.0:8080/',
    'http://[::]/',
    'http://224.0.0.1/',
    'http://[ff02::1]/',
    'http://255.255.255.255/',
    'http://[::ffff:169.254.169.254]/', // IPv4-mapped forms
    'http://[::ffff:a9fe:a9fe]/',
    'http://[64:ff9b::a9fe:a9fe]/', // NAT64 form of 169.254.169.254
    'http://2130706433/', // 127.0.0.1 as a number (WHATWG URL normalises it)
    'http://0x7f.1/',
    'https://169.254.169.254/',
  ])('refuses %s with the one text', async (poa) => {
    expect(await refusedBy(policy, poa)).toBe(TARGET_NOT_REACHABLE_TEXT);
  });

  it('resolves host names first and refuses one that points into a refused range', async () => {
    const resolver = async (host: string) =>
      host === 'metadata.google.internal'
        ? [{ address: '169.254.169.254', family: 4 }]
        : [
            { address: '10.1.2.3', family: 4 },
            { address: 'fd00::1', family: 6 },
          ];
    const p = new NotificationTargetPolicy({ resolver });
    expect(await refusedBy(p, 'http://metadata.google.internal/computeMetadata/v1/')).toBe(TARGET_NOT_REACHABLE_TEXT);
    expect(await refusedBy(p, 'http://intranet.example/')).toBe(TARGET_NOT_REACHABLE_TEXT);
    const failing = new NotificationTargetPolicy({
      resolver: async () => {
        throw new Error('ENOTFOUND');
      },
    });
    expect(await refusedBy(failing, 'http://nowhere.example/')).toBe(TARGET_NOT_REACHABLE_TEXT);
  });

  it('admits a public address and pins the connection to the checked one', async () => {
    const p = new NotificationTargetPolicy({
      resolver: async () => [
        { address: '10.0.0.7', family: 4 },
        { address: '198.51.100.7', family: 4 },
      ],
    });
    // Decided only: nothing is sent in this test.
    expect(await p.admit('https://notify.example/x')).toEqual({
      connectAddress: '198.51.100.7',
      key: '198.51.100.7|443',
    });
    expect(await p.admit('mqtt://broker.example:1883')).toBeUndefined(); // MQTT talks to its configured broker
  });

  it('allowTargets: CIDR, address:port, [v6]:port and host[:port] exceptions, port-exact', async () => {
    const p = new NotificationTargetPolicy({
      allowTargets: ['127.0.0.1:9001', '10.0.0.0/8', '[::1]:9002', 'gateway.lan:8443'],
      resolver: async () => [{ address: '192.168.7.7', family: 4 }],
    });
    expect(await p.admit('http://127.0.0.1:9001/n')).toMatchObject({ connectAddress: '127.0.0.1' });
    expect(await refusedBy(p, 'http://127.0.0.1:9003/n')).toBe(TARGET_NOT_REACHABLE_TEXT);
    expect(await p.admit('http://10.200.0.1:7000/')).toMatchObject({ connectAddress: '10.200.0.1' });
    expect(await p.admit('http://[::1]:9002/')).toMatchObject({ connectAddress: '::1' });
    expect(await refusedBy(p, 'http://[::1]:9001/')).toBe(TARGET_NOT_REACHABLE_TEXT);
    expect(await p.admit('https://gateway.lan:8443/')).toMatchObject({ connectAddress: '192.168.7.7' });
    expect(await refusedBy(p, 'https://gateway.lan:8444/')).toBe(TARGET_NOT_REACHABLE_TEXT);
    expect(await refusedBy(p, 'http://169.254.169.254/')).toBe(TARGET_NOT_REACHABLE_TEXT);
  });

  it('bad allowTargets entries stop the configuration', () => {
    for (const e of ['10.0.0.0/33', '127.0.0.1:0', 'not a host', '[::1]:70000']) {
      expect(() => new NotificationTargetPolicy({ allowTargets: [e] }), e).toThrow(/allowTargets/);
    }
  });
});

describe('per-target concurrency cap and bounded queue', () => {
  it('runs at most maxConcurrentPerTarget at once, queues maxQueuedPerTarget, refuses the rest', async () => {
    const p = new NotificationTargetPolicy({ maxConcurrentPerTarget: 2, maxQueuedPerTarget: 3 });
    let inFlight = 0;
    let peak = 0;
    const task = () =>
      p.run('198.51.100.7|80', async () => {
        peak = Math.max(peak, ++inFlight);
        await new Promise((r) => setTimeout(r, 30));
        inFlight--;
        return 'sent';
      });
    const results = await Promise.allSettled(Array.from({ length: 10 }, task));
    expect(peak).toBe(2);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(5);
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(refused).toHaveLength(5);
    for (const r of refused) expect(r.reason.message).toBe(TARGET_NOT_REACHABLE_TEXT);
    // Another target has its own limit; a drained target takes work again.
    await expect(p.run('198.51.100.8|80', async () => 'other')).resolves.toBe('other');
    await expect(task()).resolves.toBe('sent');
  });
});

describe('the notifier with the policy, over real loopback sockets', () => {
  let target: Server; // the allowed notification target
  let bystander: Server; // another loopback service nobody allowed
  let targetPort = 0;
  let bystanderPort = 0;
  let bystanderConnections = 0;
  const received: Array<{ host?: string; body: any }> = [];
  let delayMs = 0;
  let inFlight = 0;
  let peak = 0;

  beforeAll(async () => {
    target = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        peak = Math.max(peak, ++inFlight);
        received.push({ host: req.headers.host, body: JSON.parse(body) });
        setTimeout(() => {
          inFlight--;
          res.writeHead(200, { 'X-M2M-RSC': '2000', 'X-M2M-RI': String(req.headers['x-m2m-ri']) }).end();
        }, delayMs);
      });
    });
    bystander = createServer((_req, res) => res.end());
    bystander.on('connection', () => bystanderConnections++);
    await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
    await new Promise<void>((r) => bystander.listen(0, '127.0.0.1', r));
    targetPort = (target.address() as AddressInfo).port;
    bystanderPort = (bystander.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise<void>((r) => target.close(() => r()));
    await new Promise<void>((r) => bystander.close(() => r()));
  });
  afterEach(() => vi.restoreAllMocks());

  const open = (n: NotificationTargetPolicyConfig) =>
    openTestCse({ senders: [new HttpRequestSender()], config: { expirySweepMs: 0, notifications: n } });

  it('refused targets: 5204 with one text, and no connect() is ever attempted', async () => {
    const { send, registerAe } = await open({ allowTargets: [`127.0.0.1:${targetPort}`], resolver: noDns });
    await registerAe('Cssrf');
    // The spy also blocks: were the policy missing, no packet would leave for a non-loopback address.
    const connect = vi.spyOn(net.Socket.prototype, 'connect').mockImplementation(() => {
      throw new Error('test guard: connect attempted for a refused target');
    });
    const texts = new Set<string>();
    for (const nu of [
      'http://169.254.169.254/latest/meta-data/iam/',
      'http://[fd00:ec2::254]/',
      'http://10.0.0.1:6379/',
      'http://192.168.0.1/',
      `http://127.0.0.1:${bystanderPort}/`,
      'http://[::1]:22/',
    ]) {
      const r = await send({ op: 1, to: 'cse-in/Cssrf', fr: 'Cssrf', ty: 23, pc: { 'm2m:sub': { nu: [nu] } } });
      expect(r.rsc, nu).toBe(5204);
      texts.add(String(r.dbg).replace(nu, '<nu>'));
    }
    expect(connect).not.toHaveBeenCalled();
    expect(bystanderConnections).toBe(0);
    expect([...texts]).toEqual([`verification request to '<nu>' failed: ${TARGET_NOT_REACHABLE_TEXT}`]);
  });

  it('an allowed but closed port reads exactly like a refused address (no port oracle)', async () => {
    const closed = net.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const { send, registerAe } = await open({ allowTargets: [`127.0.0.1:${closedPort}`], resolver: noDns });
    await registerAe('Coracle');
    const connect = vi.spyOn(net.Socket.prototype, 'connect');
    const dbg = async (nu: string) =>
      String(
        (await send({ op: 1, to: 'cse-in/Coracle', fr: 'Coracle', ty: 23, pc: { 'm2m:sub': { nu: [nu] } } })).dbg,
      ).replace(nu, '<nu>');
    const allowedButClosed = await dbg(`http://127.0.0.1:${closedPort}/`);
    expect(connect).toHaveBeenCalled(); // the allowed target was tried (and the spy sees connects)
    connect.mockImplementation(() => {
      throw new Error('test guard: connect attempted for a refused target');
    });
    expect(allowedButClosed).toBe(await dbg('http://169.254.169.254/'));
  });

  it('connects to the address it checked: a host name only the policy resolves is reached with its Host kept', async () => {
    received.length = 0;
    // '.invalid' never resolves through the system (RFC 6761): reaching it proves the pinned connect.
    const { send, registerAe } = await open({
      allowTargets: [`127.0.0.1:${targetPort}`],
      resolver: async (host) => {
        if (host !== 'rebind.invalid') throw new Error('unexpected');
        return [{ address: '127.0.0.1', family: 4 }];
      },
    });
    await registerAe('Cpin');
    const nu = `http://rebind.invalid:${targetPort}/notify`;
    const r = await send({ op: 1, to: 'cse-in/Cpin', fr: 'Cpin', ty: 23, pc: { 'm2m:sub': { nu: [nu] } } });
    expect(r.rsc, r.dbg).toBe(2001);
    expect(received[0]).toMatchObject({ host: `rebind.invalid:${targetPort}`, body: { 'm2m:sgn': { vrq: true } } });
  });

  it('a name that re-resolves into a refused range is refused at the next send, before any connect', async () => {
    let answer = '127.0.0.1';
    const { send, registerAe } = await open({
      allowTargets: [`127.0.0.1:${targetPort}`],
      resolver: async () => [{ address: answer, family: 4 }],
    });
    await registerAe('Crebind');
    const nu = `http://rebind.invalid:${targetPort}/notify`;
    expect(
      (await send({ op: 1, to: 'cse-in/Crebind', fr: 'Crebind', ty: 23, pc: { 'm2m:sub': { nu: [nu] } } })).rsc,
    ).toBe(2001);
    answer = '169.254.169.254';
    const connect = vi.spyOn(net.Socket.prototype, 'connect').mockImplementation(() => {
      throw new Error('test guard: connect attempted for a refused target');
    });
    const again = await send({ op: 1, to: 'cse-in/Crebind', fr: 'Crebind', ty: 23, pc: { 'm2m:sub': { nu: [nu] } } });
    expect(again.rsc).toBe(5204);
    expect(connect).not.toHaveBeenCalled();
  });

  it('notifications to one slow target never exceed the per-target cap', async () => {
    received.length = 0;
    peak = 0;
    const { cse, send, registerAe } = await open({
      allowTargets: [`127.0.0.1:${targetPort}`],
      maxConcurrentPerTarget: 2,
      maxQueuedPerTarget: 100,
      resolver: noDns,
    });
    await registerAe('Cslow');
    await send({ op: 1, to: 'cse-in/Cslow', fr: 'Cslow', ty: 3, pc: { 'm2m:cnt': { rn: 'box' } } });
    const nu = `http://127.0.0.1:${targetPort}/notify`;
    const sub = await send({
      op: 1,
      to: 'cse-in/Cslow/box',
      fr: 'Cslow',
      ty: 23,
      pc: { 'm2m:sub': { nu: [nu], enc: { net: [3] } } },
    });
    expect(sub.rsc, sub.dbg).toBe(2001);
    delayMs = 100;
    for (let i = 0; i < 8; i++) {
      await send({ op: 1, to: 'cse-in/Cslow/box', fr: 'Cslow', ty: 4, pc: { 'm2m:cin': { con: `v${i}` } } });
    }
    // The operations metric's source: with 2 in flight, the rest wait for a slot of this target.
    let deepest = 0;
    for (let i = 0; i < 100 && received.length < 9; i++) {
      deepest = Math.max(deepest, cse.notificationQueueDepth);
      await new Promise((r) => setTimeout(r, 20));
    }
    delayMs = 0;
    expect(received).toHaveLength(9); // verification + 8 events, none lost (queue large enough)
    expect(peak).toBe(2);
    expect(deepest).toBeGreaterThan(0);
    for (let i = 0; i < 100 && cse.notificationQueueDepth > 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(cse.notificationQueueDepth).toBe(0);
  });
});
