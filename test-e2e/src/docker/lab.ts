// The material of the docker topology (a) (infra/docker/compose.field.yaml, issue 18): a lab PKI made
// with openssl (TS-0003 10.1 SANs), device PSKs, the IN-CSE's key at the MEF, the mosquitto files and
// every node's configuration. Each service gets a directory of its own holding only its files, mounted
// read-only at /run/m2msec; key files are 0600 and owned by the containers' user (uid 10001), so no
// container can read another's keys.
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Issued, TestCa } from '@m2msec/test-support';
import { writeMosquittoConfig } from '../../../infra/mosquitto/write-config.js';

/** The uid every image runs as (infra/docker/scripts/build-images.sh). */
export const CONTAINER_UID = 10001;
/** Where each service's directory is mounted. */
const IN = '/run/m2msec';
export const MEF_FQDN = 'mef.m2msec.org';
export const MAF_FQDN = 'maf.m2msec.org';
/** The administrating stakeholder of the MAF registrations (TS-0003 8.8.2.2). */
export const MAF_ADMIN_FQDN = 'sp.m2msec.org';
/** Entity A of the MAF-based SAEF and the IN-CSE (Entity B) as MAF clients: KmID, MAF Client ID. */
export const MAF_CLIENTS = {
  ae: { kmId: `cmafa@${MAF_FQDN}`, clientId: '//m2msec.org/id-in/CmafA', aeId: 'CmafA' },
  in: { kmId: `in-cse@${MAF_FQDN}`, clientId: '//m2msec.org/id-in' },
} as const;
/** TS-0004 Table 6.3.4.2.39-1: RSPF-provisioned SAEF key. */
export const RSPF_SAEF = 22;

export interface Lab {
  dir: string;
  /** The CA certificate (PEM). */
  caPem: string;
  /** Host paths of credentials the test itself uses. */
  admin: Issued;
  ae2: Issued;
  ae3: Issued;
  /** The MEF administrator's bearer token, and the IN-CSE's key as Enrolment Target. */
  mefAdminToken: string;
  inMefKeyHex: string;
  /** An empty directory, owned by the containers' user, for an enrolee's secure environment. */
  deviceDir: string;
  /** The MAF's administrator token; the Km (hex) of the IN-CSE and of Entity A at the MAF. */
  mafAdminToken: string;
  mafKmHex: { in: string; ae: string };
}

/** A file only the containers' user can read: 0600, owned by uid 10001. */
export function secretFile(path: string, content: string | Buffer): void {
  writeFileSync(path, content, { mode: 0o600 });
  chmodSync(path, 0o600);
  chownSync(path, CONTAINER_UID, CONTAINER_UID);
}

function publicFile(path: string, content: string | Buffer): void {
  writeFileSync(path, content, { mode: 0o644 });
  chmodSync(path, 0o644);
}

/** A service's directory: the CA certificate, the named credentials (as <name>.pem / <name>.key). */
function serviceDir(lab: string, name: string, caPem: string, creds: Record<string, Issued> = {}): string {
  const d = join(lab, name);
  mkdirSync(d, { recursive: true, mode: 0o755 });
  chmodSync(d, 0o755);
  publicFile(join(d, 'ca.pem'), caPem);
  for (const [n, c] of Object.entries(creds)) {
    publicFile(join(d, `${n}.pem`), c.cert);
    secretFile(join(d, `${n}.key`), c.key);
  }
  return d;
}

const json = (o: unknown) => `${JSON.stringify(o, null, 2)}\n`;

export function writeLab(dir: string): Lab {
  const ca = new TestCa('docker', { root: dir });
  const caPem = readFileSync(ca.certPath, 'utf8');
  const c = {
    in: ca.issue({ san: 'DNS:id-in.m2msec.org', usage: 'server' }),
    inClient: ca.issue({ san: 'DNS:id-in.m2msec.org', usage: 'client' }),
    mn: ca.issue({ san: 'DNS:id-mn.id-in.m2msec.org', usage: 'client' }),
    mnMcc: ca.issue({ san: 'DNS:id-mn.id-in.m2msec.org', usage: 'server' }),
    // The broker takes the certificate CN as the MQTT username (infra/mosquitto).
    mnMqtt: ca.issue({ san: 'DNS:id-mn.id-in.m2msec.org', usage: 'client', cn: 'id-mn' }),
    broker: ca.issue({ san: 'DNS:broker.m2msec.org', usage: 'server', cn: 'broker.m2msec.org' }),
    ae2: ca.issue({ san: 'URI:m2m://m2msec.org/id-in/Cae2', usage: 'client' }),
    ae3: ca.issue({ san: 'URI:m2m://m2msec.org/id-in/Cae3', usage: 'client' }),
    admin: ca.issue({ san: 'URI:m2m://m2msec.org/id-in/CAdmin', usage: 'client' }),
  };
  const ae1Psk = randomBytes(32).toString('hex');
  const ae9Psk = randomBytes(32).toString('hex');
  const inMefKeyHex = randomBytes(32).toString('hex');
  const mefAdminToken = randomBytes(24).toString('hex');
  const mafAdminToken = randomBytes(24).toString('hex');
  const mafKmHex = { in: randomBytes(32).toString('hex'), ae: randomBytes(32).toString('hex') };

  // IN-CSE: certificate SAEF for Mcc, viewers and the operator; PSK SAEF for MEF enrolees (TS-0003 8.3.2.1).
  const inDir = serviceDir(dir, 'in-cse', caPem, { server: c.in, forward: c.inClient });
  secretFile(join(inDir, 'kek'), randomBytes(32));
  secretFile(join(inDir, 'mef.psk'), inMefKeyHex);
  // Its Km at the MAF, put into its credential store by the one-shot service in-cse-km before it starts.
  secretFile(join(inDir, 'maf-km.hex'), mafKmHex.in);
  secretFile(
    join(inDir, 'config.json'),
    json({
      profile: 'secure',
      cse: {
        cseId: '/id-in',
        cseBaseName: 'cse-in',
        spId: 'm2msec.org',
        adminOriginators: ['CAdmin'],
        allowCseWithoutAssociation: false,
      },
      // On the core network: the MAF announces keys to its POST /.well-known/m2msec/maf-key (docs/maf.md);
      // a request there carries no association, which the secure profile refuses for anything else.
      http: { host: '0.0.0.0', port: 8080, maxBodyBytes: 1048576, trustedProxies: [] },
      forwarding: {
        remoteCses: [
          {
            cseId: '/id-mn',
            certificate: {
              cert: `${IN}/forward.pem`,
              key: `${IN}/forward.key`,
              trustAnchors: [`${IN}/ca.pem`],
              servername: 'id-mn.id-in.m2msec.org',
            },
          },
        ],
      },
      registration: {
        appRules: [
          {
            name: 'viewers',
            applicableCredIDs: ['33-/id-in/Cae2', '33-/id-in/Cae3'],
            allowedAppIDs: ['Nviewer'],
            allowedAEs: ['Cae2', 'Cae3'],
          },
          // Enrolees of the MEF: psk_identity = KeID, so Credential-ID 12-<KeID> (docs/mef.md).
          { name: 'enrolees', applicableCredIDs: [`12-*@${MEF_FQDN}`], allowedAppIDs: ['Nsensor'], allowedAEs: ['C*'] },
          // MAF-based SAEF: psk_identity = Key Identifier (<hex>@MAF-FQDN), Credential-ID 12-<Key Identifier>.
          {
            name: 'maf-clients',
            applicableCredIDs: [`12-*@${MAF_FQDN}`],
            allowedAppIDs: ['Nmaf'],
            allowedAEs: [MAF_CLIENTS.ae.aeId],
          },
        ],
      },
      security: {
        mca: 'required',
        keyFile: `${IN}/kek`,
        administrators: [
          { name: 'operator', originator: 'CAdmin', certificateSan: 'uri:m2m://m2msec.org/id-in/CAdmin' },
        ],
        derivedKey: false,
        bindings: [],
        certificate: {
          host: '0.0.0.0',
          port: 8443,
          cert: `${IN}/server.pem`,
          key: `${IN}/server.key`,
          trustAnchors: [`${IN}/ca.pem`],
          crls: [],
          tls13: true,
        },
        psk: { host: '0.0.0.0', port: 8445, tls13: true },
        mef: {
          url: 'https://mef:8443',
          fqdn: MEF_FQDN,
          targetId: '/id-in',
          pskIdentity: 'id-in@m2msec.org',
          keyFile: `${IN}/mef.psk`,
          suid: RSPF_SAEF,
        },
        // Entity B of the MAF-based SAEF (TS-0003 8.2.2.3): registered at the MAF with its Km.
        maf: {
          url: 'https://maf:8443',
          fqdn: MAF_FQDN,
          kmId: MAF_CLIENTS.in.kmId,
          adminFQDN: MAF_ADMIN_FQDN,
          notificationUrl: 'http://in-cse:8080/.well-known/m2msec/maf-key',
        },
      },
      log: { level: 'info' },
    }),
  );

  // MN-CSE: certificate SAEF towards the IN-CSE and the broker; its Mcc listener for forwarded requests.
  const mnDir = serviceDir(dir, 'mn-cse', caPem, { registrar: c.mn, mcc: c.mnMcc, mqtt: c.mnMqtt });
  secretFile(
    join(mnDir, 'config.json'),
    json({
      profile: 'secure',
      cse: { cseId: '/id-mn', cseBaseName: 'cse-mn', spId: 'm2msec.org', adminOriginators: ['CAdmin'] },
      http: { host: '127.0.0.1', port: 8081, maxBodyBytes: 1048576 },
      poa: ['https://mn-cse:8444'],
      registrar: {
        cseId: '/id-in',
        cseBaseName: 'cse-in',
        url: 'https://in-cse:8443',
        retryMs: 1000,
        refreshMs: 30000,
        certificate: {
          cert: `${IN}/registrar.pem`,
          key: `${IN}/registrar.key`,
          trustAnchors: [`${IN}/ca.pem`],
          servername: 'id-in.m2msec.org',
        },
      },
      mqtt: {
        url: 'mqtts://mosquitto:8883',
        ca: `${IN}/ca.pem`,
        cert: `${IN}/mqtt.pem`,
        key: `${IN}/mqtt.key`,
        servername: 'broker.m2msec.org',
      },
      mcc: {
        host: '0.0.0.0',
        port: 8444,
        cert: `${IN}/mcc.pem`,
        key: `${IN}/mcc.key`,
        trustAnchors: [`${IN}/ca.pem`],
        crls: [],
      },
      registration: {
        appRules: [
          {
            name: 'devices',
            applicableCredIDs: ['12-ae1@m2msec.org', '12-ae9@m2msec.org'],
            allowedAppIDs: ['Nsensor'],
            allowedAEs: ['Cae1', 'Cae9'],
          },
        ],
      },
      mca: 'required',
      requestTimeoutMs: 5000,
      log: { level: 'info' },
    }),
  );

  // mosquitto: certificate listener (the MN-CSE), TLS-PSK listener (devices), topic ACL (TS-0010 7.4).
  const brokerDir = serviceDir(dir, 'mosquitto', caPem, { broker: c.broker });
  const written = writeMosquittoConfig({
    dir: brokerDir,
    bindAddress: '0.0.0.0',
    tls: { port: 8883, caFile: `${IN}/ca.pem`, certFile: `${IN}/broker.pem`, keyFile: `${IN}/broker.key` },
    psk: {
      port: 8884,
      hint: 'm2msec',
      keys: [
        { identity: '12-ae1@m2msec.org', keyHex: ae1Psk },
        { identity: '12-ae9@m2msec.org', keyHex: ae9Psk },
      ],
    },
    cses: [{ username: 'id-mn', cseId: '/id-mn' }],
    clients: [
      { username: '12-ae1@m2msec.org', ids: ['Cae1'] },
      { username: '12-ae9@m2msec.org', ids: ['Cae9'] },
    ],
  });
  // The files name each other by host path: inside the container the directory is /run/m2msec.
  for (const f of [written.confFile, written.aclFile, written.pskFile]) {
    if (!f) continue;
    secretFile(f, readFileSync(f, 'utf8').split(brokerDir).join(IN));
  }

  // MEF: TLS-PSK MEF Handshake listener, admin listener with a token from a file.
  const mefDir = serviceDir(dir, 'mef', caPem);
  secretFile(join(mefDir, 'admin.token'), mefAdminToken);
  // The MEF reads its KEK file as hex (apps/mef), the IN-CSE as raw bytes.
  secretFile(join(mefDir, 'kek'), randomBytes(32).toString('hex'));
  secretFile(
    join(mefDir, 'config.json'),
    json({
      fqdn: MEF_FQDN,
      dataDir: '/data',
      kekFile: `${IN}/kek`,
      psk: { host: '0.0.0.0', port: 8443 },
      admin: { host: '0.0.0.0', port: 8081, tokenFile: `${IN}/admin.token` },
      log: { level: 'info' },
    }),
  );

  // MAF: TLS-PSK MAF Handshake listener, admin listener with a token from a file, its keystore KEK.
  const mafDir = serviceDir(dir, 'maf', caPem);
  secretFile(join(mafDir, 'admin.token'), mafAdminToken);
  secretFile(join(mafDir, 'kek'), randomBytes(32));
  secretFile(
    join(mafDir, 'config.json'),
    json({
      fqdn: MAF_FQDN,
      dataDir: '/data',
      keystoreKeyFile: `${IN}/kek`,
      kekInDataDir: false,
      psk: { host: '0.0.0.0', port: 8443 },
      admin: { host: '0.0.0.0', port: 8081, tokenFile: `${IN}/admin.token` },
      log: { level: 'info' },
    }),
  );

  // Devices on the field network: Provisioned Symmetric Key SAEF over MQTT (TLS-PSK at the broker).
  const device = (name: string, stem: string, identity: string, keyHex: string, extra: object) => {
    const d = serviceDir(dir, name, caPem);
    secretFile(join(d, 'psk.hex'), keyHex);
    secretFile(
      join(d, 'config.json'),
      json({
        registrar: { cseId: '/id-mn', cseBaseName: 'cse-mn' },
        transport: {
          kind: 'mqtt',
          url: 'mqtts://mosquitto:8884',
          psk: { identity, keyFile: `${IN}/psk.hex` },
          poa: ['mqtts://mosquitto:8883'],
        },
        stem,
        appId: 'Nsensor',
        requestTimeoutMs: 20000,
        ...extra,
      }),
    );
  };
  device('ae1', 'Cae1', '12-ae1@m2msec.org', ae1Psk, { postTo: '/id-in/cse-in/data', intervalMs: 2000 });
  // The forger: its own PSK, but it claims to be Cae1.
  device('ae9', 'Cae1', '12-ae9@m2msec.org', ae9Psk, { intervalMs: 0 });
  // Viewers on the core network: certificate SAEF straight to the IN-CSE.
  const viewer = (name: string, stem: string, cred: Issued) => {
    const d = serviceDir(dir, name, caPem, { client: cred });
    secretFile(
      join(d, 'config.json'),
      json({
        registrar: { cseId: '/id-in', cseBaseName: 'cse-in' },
        transport: {
          kind: 'http',
          url: 'https://in-cse:8443',
          certificate: {
            cert: `${IN}/client.pem`,
            key: `${IN}/client.key`,
            trustAnchors: [`${IN}/ca.pem`],
            servername: 'id-in.m2msec.org',
          },
        },
        stem,
        appId: 'Nviewer',
        watch: { to: 'cse-in/data/la', everyMs: 2000 },
      }),
    );
  };
  viewer('ae2', 'Cae2', c.ae2);
  viewer('ae3', 'Cae3', c.ae3);

  const deviceDir = join(dir, 'device');
  mkdirSync(deviceDir, { mode: 0o700 });
  chownSync(deviceDir, CONTAINER_UID, CONTAINER_UID);
  return {
    dir,
    caPem,
    admin: c.admin,
    ae2: c.ae2,
    ae3: c.ae3,
    mefAdminToken,
    inMefKeyHex,
    deviceDir,
    mafAdminToken,
    mafKmHex,
  };
}
