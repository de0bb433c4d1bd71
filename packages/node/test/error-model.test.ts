// One error model, shown end to end (issue 11 item 5, docs/errors.md): an IN-CSE composed by createCseNode
// whose store fails unexpectedly, reached over each binding (HTTP, MQTT through a private mosquitto, CoAP
// over DTLS-PSK). The failing store quotes the row it choked on, request body included, in its message (as
// database drivers do). Every client gets the oneM2M 5000 with the fixed generic text; the log line carries
// the code INTERNAL and the rqi, never a stack trace and never the body.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { CoapsRequestSender } from '@m2msec/binding-coap';
import { clientIdForAe, MqttOriginator } from '@m2msec/binding-mqtt';
import { INTERNAL_MESSAGE, type RequestPrimitive, type ResponsePrimitive } from '@m2msec/protocol';
import { openSqliteStore, type ResourceStore, type Store, type StoredResource } from '@m2msec/store';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startBroker, type TestBroker } from '../../binding-mqtt/test/helpers/broker.js';
import { type CseNode, createCseNode, inCseDefaults } from '../src/index.js';

/** Text only the request body carries: it must reach neither the client's answer nor any log line. */
const BODY_MARKER = 'body-marker-7f3a9c';

/**
 * The store with one fault: creating a resource whose row holds BODY_MARKER throws an Error quoting the
 * row. Every other call (and every call inside a transaction) goes to the real SQLite store.
 */
function failingOnMarkedRows<T extends { resources: ResourceStore }>(s: T): T {
  const resources = new Proxy(s.resources, {
    get(target, p) {
      const v = Reflect.get(target, p, target);
      if (p === 'create') {
        return async (r: StoredResource) => {
          const row = JSON.stringify(r);
          if (row.includes(BODY_MARKER)) throw new Error(`cannot store row ${row}`);
          return (v as ResourceStore['create']).call(target, r);
        };
      }
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
  return new Proxy(s, {
    get(target, p) {
      if (p === 'resources') return resources;
      const v = Reflect.get(target, p, target);
      if (p === 'transaction') {
        return (fn: (tx: T) => Promise<unknown>, o?: unknown) =>
          (v as (f: (tx: T) => Promise<unknown>, o?: unknown) => Promise<unknown>).call(
            target,
            (tx: T) => fn(failingOnMarkedRows(tx)),
            o,
          );
      }
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}

const dirs: string[] = [];
const tmp = (p: string) => {
  const d = mkdtempSync(join(tmpdir(), p));
  dirs.push(d);
  return d;
};
const logLines: string[] = [];
let broker: TestBroker;
let store: Store;
let node: CseNode;
const coapKpsa = randomBytes(32);

const aeCreate = (fr: string, rqi: string): RequestPrimitive => ({
  op: 1,
  to: 'cse-in',
  fr,
  rqi,
  rvi: '3',
  ty: 2,
  pc: { 'm2m:ae': { api: 'Nnode', rr: false, srv: ['3'], lbl: [BODY_MARKER] } },
});

const dbgOf = (r: ResponsePrimitive) => r.dbg ?? (r.pc as { 'm2m:dbg'?: string } | undefined)?.['m2m:dbg'];

/** The log lines about one request, and the checks every failure's log must pass. */
function expectLoggedWithoutStackOrBody(rqi: string): void {
  const mine = logLines.filter((l) => l.includes(`"rqi":"${rqi}"`));
  expect(mine.length, logLines.join('')).toBeGreaterThan(0);
  const failure = mine.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.code === 'INTERNAL');
  expect(failure, mine.join('')).toBeDefined();
  expect(failure?.rsc).toBe(5000);
  for (const line of logLines) {
    expect(line).not.toContain(BODY_MARKER);
    expect(line).not.toMatch(/"stack"|\\n\s+at |\bat async\b/);
  }
}

beforeAll(async () => {
  broker = await startBroker({ cses: [{ username: 'id-in', cseId: '/id-in' }] });
  const d = structuredClone(inCseDefaults);
  const dataDir = tmp('m2msec-errors-data-');
  store = await openSqliteStore({ file: join(dataDir, 'resources.db') });
  const mqttClient = broker.pki.client('id-in');
  const log = pino(
    { level: 'info' },
    new Writable({
      write(chunk, _enc, done) {
        logLines.push(chunk.toString());
        done();
      },
    }),
  );
  node = await createCseNode(
    {
      ...d,
      cse: { ...d.cse, cseId: '/id-in', cseBaseName: 'cse-in', expirySweepMs: 0 },
      dataDir,
      http: { ...d.http, port: await freePort() },
      coap: { host: '127.0.0.1', port: await freePort() },
      registration: {
        appRules: [
          ...d.registration.appRules,
          { name: 'coap-aes', applicableCredIDs: ['12-kpsa-coap'], allowedAppIDs: ['Nnode'], allowedAEs: ['*'] },
        ],
      },
      security: {
        ...d.security,
        keyFile: join(tmp('m2msec-errors-kek-'), 'kek'),
        derivedKey: false,
        psk: { host: '127.0.0.1', port: await freePort(), tls13: false },
      },
      mqtt: { url: broker.tlsUrl, ca: broker.pki.caFile, cert: mqttClient.certFile, key: mqttClient.keyFile },
      log: { level: 'info' },
    },
    { store: failingOnMarkedRows(store), log },
  );
  await node.security.credentials.addKey('Kpsa', { credentialId: 'kpsa-coap', owner: 'test', suid: 12 }, coapKpsa);
  node.security.kpsa.refresh();
  await node.start();
}, 120_000);

afterAll(async () => {
  await node?.stop();
  await store?.close();
  await broker?.stop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('an unexpected store failure, through each binding', () => {
  it('HTTP: 500 with X-M2M-RSC 5000 and the generic text; the log has the code, no stack, no body', async () => {
    const res = await fetch(`${node.listeners.http!.url}/cse-in`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json;ty=2',
        'x-m2m-origin': 'Chttp-err',
        'x-m2m-ri': 'err-http',
        'x-m2m-rvi': '3',
      },
      body: JSON.stringify({ 'm2m:ae': { api: 'Nnode', rr: false, srv: ['3'], lbl: [BODY_MARKER] } }),
    });
    const text = await res.text();
    expect(res.status, text).toBe(500);
    expect(res.headers.get('x-m2m-rsc')).toBe('5000');
    expect(JSON.parse(text)).toEqual({ 'm2m:dbg': INTERNAL_MESSAGE });
    expectLoggedWithoutStackOrBody('err-http');
  });

  it('MQTT (private mosquitto): rsc 5000 and the generic text in the response primitive', async () => {
    const { cert, key } = broker.pki.client('Cmqtt-err');
    const ae = await MqttOriginator.open({
      originator: 'Cmqtt-err',
      receiver: '/id-in',
      connect: { url: broker.tlsUrl, clientId: clientIdForAe('Cmqtt-err'), tls: { ca: broker.pki.ca, cert, key } },
    });
    try {
      const r = await ae.send(aeCreate('Cmqtt-err', 'err-mqtt'));
      expect(r.rsc).toBe(5000);
      expect(dbgOf(r)).toBe(INTERNAL_MESSAGE);
      expect(JSON.stringify(r)).not.toContain(BODY_MARKER);
    } finally {
      await ae.close();
    }
    expectLoggedWithoutStackOrBody('err-mqtt');
  }, 60_000);

  it('CoAP over DTLS-PSK: 5.00 with oneM2M-RSC 5000 and the generic text', async () => {
    const sender = new CoapsRequestSender({ dtls: { psk: { identity: 'kpsa-coap', key: coapKpsa } } });
    try {
      const r = await sender.send(node.listeners.coap!.url, aeCreate('Ccoap-err', 'err-coap'));
      expect(r.rsc).toBe(5000);
      expect(dbgOf(r)).toBe(INTERNAL_MESSAGE);
      expect(JSON.stringify(r)).not.toContain(BODY_MARKER);
    } finally {
      sender.close();
    }
    expectLoggedWithoutStackOrBody('err-coap');
  }, 60_000);

  it('the same requests without the marker succeed: the fault, not the request, made the 5000', async () => {
    const res = await fetch(`${node.listeners.http!.url}/cse-in`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json;ty=2',
        'x-m2m-origin': 'Chttp-ok',
        'x-m2m-ri': 'ok-http',
        'x-m2m-rvi': '3',
      },
      body: JSON.stringify({ 'm2m:ae': { api: 'Nnode', rr: false, srv: ['3'] } }),
    });
    expect(res.status, await res.text()).toBe(201);
    const sender = new CoapsRequestSender({ dtls: { psk: { identity: 'kpsa-coap', key: coapKpsa } } });
    try {
      const ok = aeCreate('Ccoap-ok', 'ok-coap');
      delete (ok.pc as { 'm2m:ae': { lbl?: string[] } })['m2m:ae'].lbl;
      expect((await sender.send(node.listeners.coap!.url, ok)).rsc).toBe(2001);
    } finally {
      sender.close();
    }
  }, 60_000);
});
