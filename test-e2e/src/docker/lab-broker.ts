// The material of the clustered-broker scenario (infra/docker/compose.broker.yaml, issue 18): three NATS
// nodes with JetStream and their MQTT listener (docs/mqtt-cluster.md), an IN-CSE and MQTT load generators
// that know all three nodes. The broker authenticates every MQTT client by its certificate
// (verify_and_map: the subject names the user) and its permissions are the TS-0010 7.4 topic ACL: a client
// publishes requests only under its own ID, and reads only the responses addressed to it. Each service gets a
// directory of its own, mounted read-only at /run/m2msec; key files are 0600 and owned by the containers' user.
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Issued, TestCa } from '@m2msec/test-support';
import { secretFile } from './lab.js';

const IN = '/run/m2msec';
export const BROKER_NODES = ['nats1', 'nats2', 'nats3'] as const;
export const BROKER_LOADERS = ['ld1', 'ld2'] as const;
/** The AE-ID-Stem of loader i (m2msec-ae load --stem-prefix <ld>x, one AE each: <ld>x0). */
export const loaderStem = (ld: string) => `C${ld}x0`;
/** The MQTT listener of every node. */
export const MQTT_PORT = 8883;
/** A node's name on the network (a compose alias; the lab CA only signs names under m2msec.org). */
export const nodeFqdn = (node: string) => `${node}.m2msec.org`;
/** A name every node's certificate holds too, for a client that reaches the nodes by address. */
export const BROKER_FQDN = 'broker.m2msec.org';

export interface BrokerLab {
  dir: string;
  caPem: string;
  /** Certificates the test itself uses: each loader's (to read its writes back) and an unknown client's. */
  clients: Record<string, Issued>;
  stranger: Issued;
}

const json = (o: unknown) => `${JSON.stringify(o, null, 2)}\n`;

function serviceDir(lab: string, name: string, caPem: string, creds: Record<string, Issued>): string {
  const d = join(lab, name);
  mkdirSync(d, { recursive: true, mode: 0o755 });
  chmodSync(d, 0o755);
  writeFileSync(join(d, 'ca.pem'), caPem, { mode: 0o644 });
  for (const [n, c] of Object.entries(creds)) {
    writeFileSync(join(d, `${n}.pem`), c.cert, { mode: 0o644 });
    secretFile(join(d, `${n}.key`), c.key);
  }
  return d;
}

/** NATS subject of an MQTT topic: '/' separates tokens, a leading '/' is the token '/' (nats-server's MQTT). */
const subject = (...levels: string[]) => `/.oneM2M.${levels.join('.')}`;

/** The node list a client is given, starting at `first` (the clients spread over the nodes). */
export function brokerUrls(first: number): { url: string; failover: string[] } {
  const urls = BROKER_NODES.map(
    (_, i) => `mqtts://${nodeFqdn(BROKER_NODES[(first + i) % BROKER_NODES.length]!)}:${MQTT_PORT}`,
  );
  return { url: urls[0]!, failover: urls.slice(1) };
}

export function writeBrokerLab(dir: string): BrokerLab {
  const ca = new TestCa('docker-broker', { root: dir });
  const caPem = readFileSync(ca.certPath, 'utf8');
  const routePassword = randomBytes(24).toString('hex');
  const cse = ca.issue({ san: 'DNS:id-in.m2msec.org', usage: 'client', cn: 'id-in' });
  const clients = Object.fromEntries(
    BROKER_LOADERS.map((ld) => [
      ld,
      ca.issue({ san: `URI:m2m://m2msec.org/id-in/${loaderStem(ld)}`, usage: 'client', cn: loaderStem(ld) }),
    ]),
  );
  // A certificate of the same CA that the broker has no user for: refused at CONNECT.
  const stranger = ca.issue({ san: 'URI:m2m://m2msec.org/id-in/Cstranger', usage: 'client', cn: 'Cstranger' });

  // TS-0010 7.4 as NATS permissions. A QoS 1 subscription is a JetStream consumer delivering on $MQTT.sub.<id>,
  // which the subscriber must be allowed; nats-server refuses MQTT subscriptions to $MQTT topics themselves.
  const users = [
    {
      user: 'CN=id-in',
      permissions: {
        publish: {
          allow: [
            subject('resp', '*', 'id-in', '>'),
            subject('reg_resp', '*', 'id-in', '>'),
            subject('req', 'id-in', '*', '>'),
          ],
        },
        subscribe: {
          allow: [
            '$MQTT.sub.>',
            subject('req', '*', 'id-in', '>'),
            subject('reg_req', '*', 'id-in', '>'),
            subject('resp', 'id-in', '*', '>'),
          ],
        },
      },
    },
    ...BROKER_LOADERS.map((ld) => ({
      user: `CN=${loaderStem(ld)}`,
      permissions: {
        publish: { allow: [subject('req', loaderStem(ld), '*', '>'), subject('resp', loaderStem(ld), '*', '>')] },
        subscribe: {
          allow: ['$MQTT.sub.>', subject('resp', loaderStem(ld), '*', '>'), subject('req', '*', loaderStem(ld), '>')],
        },
      },
    })),
  ];

  for (const node of BROKER_NODES) {
    // 'both': the routes present the same certificate as clients to the other nodes.
    const server = ca.issue({ san: `DNS:${nodeFqdn(node)},DNS:${BROKER_FQDN}`, usage: 'both', cn: nodeFqdn(node) });
    const d = serviceDir(dir, node, caPem, { server });
    const routes = BROKER_NODES.map((n) => `nats-route://route:${routePassword}@${nodeFqdn(n)}:6222`);
    secretFile(
      join(d, 'nats.conf'),
      [
        `server_name: ${node}`,
        // The plain NATS client port is not used: on the container's loopback only.
        'listen: 127.0.0.1:4222',
        'jetstream { store_dir: "/data/js", max_memory_store: 64MB, max_file_store: 512MB }',
        // Routes: TLS, and a password only the nodes know (a client certificate of the CA is not enough);
        // each node gossips its name, not its address, so that the TLS name check of implicit routes holds.
        `cluster { name: m2msec, listen: 0.0.0.0:6222, advertise: "${nodeFqdn(node)}:6222", routes: ${JSON.stringify(routes)}, authorization { user: route, password: "${routePassword}" }, tls { cert_file: "${IN}/server.pem", key_file: "${IN}/server.key", ca_file: "${IN}/ca.pem", timeout: 5 } }`,
        // MQTT: sessions, subscriptions and QoS 1 messages in JetStream streams kept on all three nodes.
        `mqtt { listen: 0.0.0.0:${MQTT_PORT}, stream_replicas: 3, ack_wait: "5s", tls { cert_file: "${IN}/server.pem", key_file: "${IN}/server.key", ca_file: "${IN}/ca.pem", verify_and_map: true, timeout: 5 } }`,
        `authorization { users: ${JSON.stringify(users)} }`,
        '',
      ].join('\n'),
    );
  }

  const inDir = serviceDir(dir, 'in-cse', caPem, { mqtt: cse });
  secretFile(join(inDir, 'kek'), randomBytes(32));
  secretFile(
    join(inDir, 'config.json'),
    json({
      profile: 'secure',
      cse: { cseId: '/id-in', cseBaseName: 'cse-in', spId: 'm2msec.org', adminOriginators: [] },
      http: { host: '127.0.0.1', port: 8080, maxBodyBytes: 1048576, trustedProxies: [] },
      mqtt: { ...brokerUrls(0), ca: `${IN}/ca.pem`, cert: `${IN}/mqtt.pem`, key: `${IN}/mqtt.key` },
      registration: {
        appRules: [{ name: 'loaders', allowedAppIDs: ['Nload'], allowedAEs: BROKER_LOADERS.map(loaderStem) }],
      },
      security: { mca: 'required', keyFile: `${IN}/kek`, derivedKey: false, bindings: [] },
      log: { level: 'info' },
    }),
  );

  BROKER_LOADERS.forEach((ld, i) => {
    const d = serviceDir(dir, ld, caPem, { client: clients[ld]! });
    secretFile(
      join(d, 'config.json'),
      json({
        registrar: { cseId: '/id-in', cseBaseName: 'cse-in' },
        // ld1 starts on the IN-CSE's node (nats1, the one the scenario kills), ld2 on nats2.
        transport: {
          kind: 'mqtt',
          ...brokerUrls(i),
          ca: `${IN}/ca.pem`,
          certificate: { cert: `${IN}/client.pem`, key: `${IN}/client.key` },
        },
        appId: 'Nload',
        container: { rn: 'data' },
        requestTimeoutMs: 15000,
      }),
    );
  });
  return { dir, caPem, clients, stranger };
}
