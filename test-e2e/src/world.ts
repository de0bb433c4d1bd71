// The scenario topology of issue 8 (a): devices -> MQTT (TLS-PSK) -> MN-CSE -> HTTPS (certificate
// SAEF) -> IN-CSE on PostgreSQL, and viewer AEs on the IN-CSE (HTTPS, certificate). Every node is
// its own process, in its own network namespace where the machine allows.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Issued, TestCa } from '@m2msec/test-support';
import pg from 'pg';
import { startPgRelay } from './net/pg-relay.js';
import { freePort } from './net/ports.js';
import { Topology, type TopologyMode } from './net/topology.js';
import { type AeNode, startAe } from './nodes/ae.js';
import { type BrokerNode, startBroker } from './nodes/broker.js';
import { type InCseNode, startInCse } from './nodes/in-cse.js';
import { type MnCseNode, startMnCse } from './nodes/mn-cse.js';

/** How long the MN-CSE waits for the IN-CSE on a forwarded request (generous: a loaded machine). */
export const FORWARD_TIMEOUT_MS = 5_000;

export const pgUrl = process.env.M2MSEC_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface World {
  topo: Topology;
  ca: TestCa;
  broker: BrokerNode;
  inCse: InCseNode;
  mn: MnCseNode;
  /** Devices at the MN-CSE over MQTT with their own PSK: ae1 (Cae1), ae9 (Cae9, the forger). */
  ae1: AeNode;
  ae9: AeNode;
  /** AEs at the IN-CSE over HTTPS with certificates: ae2 (Cae2, allowed), ae3 (Cae3, not allowed). */
  ae2: AeNode;
  ae3: AeNode;
  psk: Map<string, string>;
  pgSchema: string;
  /** A oneM2M request to the IN-CSE's plain HTTP port as its administrator. */
  admin(method: string, path: string, o?: { ty?: number; body?: unknown }): Promise<{ rsc: number; body: any }>;
  close(): Promise<void>;
}

export interface WorldOptions {
  mode?: TopologyMode;
  /** MN-CSE timeout for requests it forwards (ms). */
  forwardTimeoutMs?: number;
  /** Start the AE processes (the bench uses its own in-process AEs). */
  aes?: boolean;
}

export async function buildWorld(o: WorldOptions = {}): Promise<World> {
  const topo = new Topology(o.mode);
  const cleanups: Array<() => Promise<void> | void> = [];
  const close = async () => {
    for (const c of cleanups.reverse()) await Promise.resolve(c()).catch(() => undefined);
    topo.destroy();
  };
  try {
    for (const n of ['in', 'mn', 'broker', ...(o.aes === false ? [] : ['ae1', 'ae9', 'ae2', 'ae3'])]) topo.addNode(n);
    const netns = topo.mode === 'netns';
    const port = async (fixed: number) => (netns ? fixed : freePort());

    // PKI (TS-0003 10.1): CSE-ID certificates by DNS SAN, AE-ID certificates by m2m:// URI SAN.
    const dir = mkdtempSync(join(tmpdir(), 'm2msec-e2e-'));
    const ca = new TestCa('e2e', { root: dir });
    const certs = {
      in: ca.issue({ san: 'DNS:id-in.m2msec.org', usage: 'server' }),
      // The IN-CSE's client credential when it forwards down, and the MN-CSE's Mcc listener.
      inClient: ca.issue({ san: 'DNS:id-in.m2msec.org', usage: 'client' }),
      mnServer: ca.issue({ san: 'DNS:id-mn.id-in.m2msec.org', usage: 'server' }),
      mn: ca.issue({ san: 'DNS:id-mn.id-in.m2msec.org', usage: 'client' }),
      // The broker takes the certificate CN as the MQTT username (infra/mosquitto): 'id-mn'.
      mnMqtt: ca.issue({ san: 'DNS:id-mn.id-in.m2msec.org', usage: 'client', cn: 'id-mn' }),
      broker: ca.issue({ san: 'DNS:broker.m2msec.org', usage: 'server', cn: 'broker.m2msec.org' }),
      ae2: ca.issue({ san: 'URI:m2m://m2msec.org/id-in/Cae2', usage: 'client' }),
      ae3: ca.issue({ san: 'URI:m2m://m2msec.org/id-in/Cae3', usage: 'client' }),
      // The operator: security.administrators of the IN-CSE names this SAN (docs/administration.md).
      admin: ca.issue({ san: 'URI:m2m://m2msec.org/id-in/CAdmin', usage: 'client' }),
    } satisfies Record<string, Issued>;
    const psk = new Map(['12-ae1@m2msec.org', '12-ae9@m2msec.org'].map((id) => [id, randomBytes(32).toString('hex')]));
    const keyFile = (id: string) => {
      const p = join(dir, `${id}.hex`);
      writeFileSync(p, psk.get(id)!, { mode: 0o600 });
      return p;
    };

    // PostgreSQL for the IN-CSE: a schema of its own for this run.
    const pgSchema = `e2e_${topo.id}_${randomBytes(2).toString('hex')}`;
    let inPgUrl = pgUrl;
    if (netns) {
      const relay = await startPgRelay(pgUrl, topo.hostAddress);
      cleanups.push(() => relay.close());
      inPgUrl = relay.url;
    }
    cleanups.push(async () => {
      const c = new pg.Client({ connectionString: pgUrl });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS ${pgSchema} CASCADE`);
      await c.end();
    });

    const broker = await startBroker(topo, {
      node: 'broker',
      caFile: ca.certPath,
      server: certs.broker,
      servername: 'broker.m2msec.org',
      psk: [...psk].map(([identity, keyHex]) => ({ identity, keyHex })),
      cses: [{ username: 'id-mn', cseId: '/id-mn' }],
      // TS-0010 7.4: the broker knows which AE-ID each device credential may act as.
      clients: [
        { username: '12-ae1@m2msec.org', ids: ['Cae1'] },
        { username: '12-ae9@m2msec.org', ids: ['Cae9'] },
      ],
      tlsPort: await port(8883),
      pskPort: await port(8884),
    });
    cleanups.push(() => broker.stop());

    const inCse = await startInCse(topo, {
      node: 'in',
      httpPort: await port(8080),
      certPort: await port(8443),
      pgUrl: inPgUrl,
      pgSchema,
      server: certs.in,
      caFile: ca.certPath,
      admin: certs.admin,
      forwarding: [{ cseId: '/id-mn', cert: certs.inClient, caFile: ca.certPath }],
      appRules: [
        {
          name: 'viewers',
          applicableCredIDs: ['33-/id-in/Cae2', '33-/id-in/Cae3'],
          allowedAppIDs: ['Nviewer'],
          allowedAEs: ['Cae2', 'Cae3'],
        },
        // The benchmark's baseline AE, straight at the IN-CSE.
        { name: 'bench', applicableCredIDs: ['33-/id-in/Cbench'], allowedAppIDs: ['Nbench'], allowedAEs: ['Cbench'] },
      ],
    });
    cleanups.push(() => inCse.proc.stop('SIGKILL'));

    // The MN-CSE's session with the broker's certificate listener; devices advertise it as their poa.
    const mnBrokerUrl = `mqtts://${await topo.endpoint('mn', 'broker', broker.tlsPort)}`;
    const mccPort = await port(8444);
    const mn = await startMnCse(topo, {
      node: 'mn',
      httpPort: await port(8081),
      registrarEndpoint: await topo.endpoint('mn', 'in', inCse.certPort),
      client: certs.mn,
      mqttClient: certs.mnMqtt,
      caFile: ca.certPath,
      brokerUrl: mnBrokerUrl,
      brokerServername: 'broker.m2msec.org',
      appRules: [
        {
          name: 'devices',
          applicableCredIDs: ['12-ae1@m2msec.org', '12-ae9@m2msec.org'],
          allowedAppIDs: ['Nsensor'],
          allowedAEs: ['Cae1', 'Cae9'],
        },
      ],
      requestTimeoutMs: o.forwardTimeoutMs ?? FORWARD_TIMEOUT_MS,
      mcc: { port: mccPort, server: certs.mnServer, poa: `https://${await topo.endpoint('in', 'mn', mccPort)}` },
    });
    cleanups.push(() => mn.stop());

    const world: Partial<World> = {
      topo,
      ca,
      broker,
      inCse,
      mn,
      psk,
      pgSchema,
      admin: (method, path, opts) => inCse.admin(method, path, opts),
      close,
    };
    if (o.aes !== false) {
      const deviceConfig = (stem: string, identity: string, extra: Record<string, unknown> = {}) => ({
        registrar: { cseId: '/id-mn', cseBaseName: 'cse-mn' },
        transport: {
          kind: 'mqtt',
          url: `mqtts://${broker.address}:${broker.pskPort}`,
          psk: { identity, keyFile: keyFile(identity) },
          poa: [mnBrokerUrl],
        },
        stem,
        appId: 'Nsensor',
        requestTimeoutMs: 20_000,
        ...extra,
      });
      const viewerConfig = (stem: string, cert: Issued) => ({
        registrar: { cseId: '/id-in', cseBaseName: 'cse-in' },
        transport: {
          kind: 'http',
          url: `https://${inCse.address}:${inCse.certPort}`,
          certificate: {
            cert: cert.certPath,
            key: cert.keyPath,
            trustAnchors: [ca.certPath],
            servername: 'id-in.m2msec.org',
          },
        },
        stem,
        appId: 'Nviewer',
      });
      world.ae1 = await startAe(
        topo,
        'ae1',
        'ae1',
        deviceConfig('Cae1', '12-ae1@m2msec.org', {
          container: { rn: 'local', acp: [{ acor: ['/id-in/Cae2'], acop: 2 }] },
          subscribe: true,
        }),
      );
      cleanups.push(() => world.ae1!.stop());
      world.ae9 = await startAe(topo, 'ae9', 'ae9', deviceConfig('Cae9', '12-ae9@m2msec.org'));
      cleanups.push(() => world.ae9!.stop());
      world.ae2 = await startAe(topo, 'ae2', 'ae2', viewerConfig('Cae2', certs.ae2));
      cleanups.push(() => world.ae2!.stop());
      world.ae3 = await startAe(topo, 'ae3', 'ae3', viewerConfig('Cae3', certs.ae3));
      cleanups.push(() => world.ae3!.stop());
    }
    return world as World;
  } catch (e) {
    await close();
    throw e;
  }
}
