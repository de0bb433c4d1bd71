// The configuration files of the local topology, all in the secure profile (docs/administration.md):
// every association is authenticated, the plain listeners bind loopback and answer only a RETRIEVE of the
// CSEBase, administrators act with a certificate, keys live in 0600 files outside the data directories.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const KPSA_ID = 'ae1@m2msec.org';

const write = (l, name, config) => {
  const file = join(l.config, `${name}.json`);
  writeFileSync(file, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  return file;
};

function inCse(l) {
  const p = (f) => join(l.pki, f);
  return {
    profile: 'secure',
    cse: {
      cseId: '/id-in',
      cseBaseName: 'cse-in',
      spId: 'm2msec.org',
      adminOriginators: ['CAdmin'],
      allowCseWithoutAssociation: false,
    },
    http: { enabled: true, host: l.host, port: l.ports.inHttp, maxBodyBytes: 1048576, trustedProxies: [] },
    dataDir: l.data('in-cse'),
    forwarding: {
      remoteCses: [
        {
          cseId: '/id-mn',
          certificate: {
            cert: p('in-client.pem'),
            key: p('in-client.key'),
            trustAnchors: [p('ca.pem')],
            servername: 'id-mn.id-in.m2msec.org',
          },
        },
      ],
    },
    registration: {
      appRules: [
        { name: 'psk-sensor', applicableCredIDs: [`12-${KPSA_ID}`], allowedAppIDs: ['Nsensor'], allowedAEs: ['Cae1'] },
        {
          name: 'cert-viewer',
          applicableCredIDs: ['33-/id-in/Cae2'],
          allowedAppIDs: ['Nviewer'],
          allowedAEs: ['Cae2'],
        },
      ],
    },
    security: {
      mca: 'required',
      keyFile: join(l.keys, 'in-cse.kek'),
      administrators: [{ name: 'operator', originator: 'CAdmin', certificateSan: 'uri:m2m://m2msec.org/id-in/CAdmin' }],
      derivedKey: false,
      bindings: [],
      certificate: {
        host: l.host,
        port: l.ports.inCert,
        cert: p('in-cse.pem'),
        key: p('in-cse.key'),
        trustAnchors: [p('ca.pem')],
        crls: [],
        tls13: true,
      },
      psk: { host: l.host, port: l.ports.inPsk, tls13: true },
    },
    opsListener: { host: l.host, port: l.ports.inOps },
    log: { level: 'info', format: 'json' },
  };
}

function mnCse(l) {
  const p = (f) => join(l.pki, f);
  return {
    profile: 'secure',
    cse: { cseId: '/id-mn', cseBaseName: 'cse-mn', spId: 'm2msec.org', adminOriginators: ['CAdmin'] },
    http: { host: l.host, port: l.ports.mnHttp, maxBodyBytes: 1048576 },
    dataDir: l.data('mn-cse'),
    poa: [l.url('https', l.ports.mnMcc)],
    registrar: {
      cseId: '/id-in',
      cseBaseName: 'cse-in',
      url: l.url('https', l.ports.inCert),
      retryMs: 1000,
      refreshMs: 30000,
      certificate: {
        cert: p('mn-cse.pem'),
        key: p('mn-cse.key'),
        trustAnchors: [p('ca.pem')],
        servername: 'id-in.m2msec.org',
      },
    },
    mcc: {
      host: l.host,
      port: l.ports.mnMcc,
      cert: p('mn-mcc.pem'),
      key: p('mn-mcc.key'),
      trustAnchors: [p('ca.pem')],
      crls: [],
    },
    registration: { appRules: [] },
    mca: 'required',
    requestTimeoutMs: 5000,
    opsListener: { host: l.host, port: l.ports.mnOps },
    log: { level: 'info', format: 'json' },
  };
}

const enrolmentFunction = (l, name, psk, admin, ops) => ({
  fqdn: `${name}.m2msec.org`,
  dataDir: l.data(name),
  keystoreKeyFile: join(l.keys, `${name}-keystore.key`),
  kekInDataDir: false,
  psk: { host: l.host, port: psk },
  admin: { host: l.host, port: admin, tokenFile: join(l.pki, `${name}-admin.token`) },
  opsListener: { host: l.host, port: ops },
  log: { level: 'info' },
});

function aePsk(l) {
  return {
    registrar: { cseId: '/id-in', cseBaseName: 'cse-in' },
    transport: {
      kind: 'http',
      url: l.url('https', l.ports.inPsk),
      psk: { identity: KPSA_ID, keyFile: join(l.pki, 'ae1.psk') },
    },
    stem: 'Cae1',
    appId: 'Nsensor',
    postTo: '/id-in/cse-in/data',
    intervalMs: 5000,
  };
}

function aeCert(l) {
  const p = (f) => join(l.pki, f);
  return {
    registrar: { cseId: '/id-in', cseBaseName: 'cse-in' },
    transport: {
      kind: 'http',
      url: l.url('https', l.ports.inCert),
      certificate: {
        cert: p('ae2.pem'),
        key: p('ae2.key'),
        trustAnchors: [p('ca.pem')],
        servername: 'id-in.m2msec.org',
      },
    },
    stem: 'Cae2',
    appId: 'Nviewer',
    watch: { to: 'cse-in/data/la', everyMs: 3000 },
  };
}

/** Writes every configuration file for this layout (ports may differ from the last run); returns their paths. */
export function writeConfigs(l) {
  mkdirSync(l.config, { recursive: true, mode: 0o700 });
  mkdirSync(l.keys, { recursive: true, mode: 0o700 });
  mkdirSync(join(l.dir, 'data'), { recursive: true, mode: 0o700 });
  return {
    inCse: write(l, 'in-cse', inCse(l)),
    mnCse: write(l, 'mn-cse', mnCse(l)),
    mef: write(l, 'mef', enrolmentFunction(l, 'mef', l.ports.mefPsk, l.ports.mefAdmin, l.ports.mefOps)),
    maf: write(l, 'maf', enrolmentFunction(l, 'maf', l.ports.mafPsk, l.ports.mafAdmin, l.ports.mafOps)),
    aePsk: write(l, 'ae-psk', aePsk(l)),
    aeCert: write(l, 'ae-cert', aeCert(l)),
  };
}
