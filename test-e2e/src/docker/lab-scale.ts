// The material of docker topology (b) (infra/docker/compose.scale.yaml, issue 18): three IN-CSE replicas and
// two MEF replicas behind HAProxy (TCP mode: the TLS-PSK handshakes pass through to a replica) over one
// PostgreSQL. Each service gets a directory of its own, mounted read-only at /run/m2msec; key files are 0600
// and owned by the containers' user. The PostgreSQL data directory is made here with the host's initdb (as
// Debian's postgres user, then handed to uid 10001: the image has no shell for initdb to run), mounted read-write.

import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, chmodSync, chownSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { CONTAINER_UID, MEF_FQDN, RSPF_SAEF, secretFile } from './lab.js';

const IN = '/run/m2msec';
export const IN_REPLICAS = ['in1', 'in2', 'in3'] as const;
export const MEF_REPLICAS = ['mef1', 'mef2'] as const;
/** The IN-CSE's PSK identity and key as the MEF's Enrolment Target (TS-0003 8.3.2.1). */
export const TARGET_IDENTITY = 'id-in@m2msec.org';

export interface ScaleLab {
  dir: string;
  mefAdminToken: string;
  inMefKeyHex: string;
}

const json = (o: unknown) => `${JSON.stringify(o, null, 2)}\n`;

function dir(lab: string, name: string): string {
  const d = join(lab, name);
  mkdirSync(d, { recursive: true, mode: 0o755 });
  chmodSync(d, 0o755);
  return d;
}

const initdb = '/usr/lib/postgresql/15/bin/initdb';

export function writeScaleLab(labDir: string): ScaleLab {
  // uid 10001 must reach the PostgreSQL data directory for initdb (the directory itself stays 0700).
  chmodSync(labDir, 0o711);
  const inMefKeyHex = randomBytes(32).toString('hex');
  const mefAdminToken = randomBytes(24).toString('hex');

  const pgDir = dir(labDir, 'pg');
  const data = join(pgDir, 'data');
  mkdirSync(data, { mode: 0o700 });
  // initdb refuses root: it runs as Debian's postgres user, then the files go to the containers' user.
  const pgUser = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  const pgGroup = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
  if (pgUser.status !== 0) throw new Error('no postgres user here (Debian package postgresql)');
  chownSync(data, Number(pgUser.stdout.trim()), Number(pgGroup.stdout.trim()));
  const r = spawnSync(
    'setpriv',
    [
      `--reuid=${pgUser.stdout.trim()}`,
      `--regid=${pgGroup.stdout.trim()}`,
      '--clear-groups',
      initdb,
      '-D',
      data,
      '-U',
      'postgres',
      '-A',
      'trust',
      '--locale=C',
      '-E',
      'UTF8',
      '--no-sync',
    ],
    { encoding: 'utf8', timeout: 120_000 },
  );
  if (r.status !== 0) throw new Error(`initdb failed: ${r.stderr || r.error?.message}`);
  // Only the replicas reach the database, over the compose network `db` that nothing else joins.
  appendFileSync(join(data, 'pg_hba.conf'), 'host all all samenet trust\n');
  const chown = spawnSync('chown', ['-R', `${CONTAINER_UID}:${CONTAINER_UID}`, data], { encoding: 'utf8' });
  if (chown.status !== 0) throw new Error(`chown of the database failed: ${chown.stderr}`);

  // IN-CSE replicas: a TLS-PSK listener for the MEF's enrolees; keys fetched from the MEF through the balancer.
  for (const name of IN_REPLICAS) {
    const d = dir(labDir, name);
    secretFile(join(d, 'kek'), randomBytes(32));
    secretFile(join(d, 'mef.psk'), inMefKeyHex);
    secretFile(
      join(d, 'config.json'),
      json({
        profile: 'secure',
        cse: { cseId: '/id-in', cseBaseName: 'cse-in', spId: 'm2msec.org', adminOriginators: [] },
        http: { host: '127.0.0.1', port: 8080, maxBodyBytes: 1048576, trustedProxies: [] },
        registration: {
          appRules: [
            { name: 'enrolees', applicableCredIDs: [`12-*@${MEF_FQDN}`], allowedAppIDs: ['Nload'], allowedAEs: ['C*'] },
          ],
        },
        security: {
          mca: 'required',
          keyFile: `${IN}/kek`,
          derivedKey: false,
          bindings: [],
          psk: { host: '0.0.0.0', port: 8445, tls13: true },
          mef: {
            url: 'https://lb:8443',
            fqdn: MEF_FQDN,
            targetId: '/id-in',
            pskIdentity: TARGET_IDENTITY,
            keyFile: `${IN}/mef.psk`,
            suid: RSPF_SAEF,
          },
        },
        log: { level: 'info' },
      }),
    );
  }

  // MEF replicas: one directory for both (one KEK, one admin token, one schema).
  const mefDir = dir(labDir, 'mef');
  secretFile(join(mefDir, 'admin.token'), mefAdminToken);
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

  // HAProxy: TCP mode (TLS passes through), connect checks every 200 ms, a refused connection redispatched.
  const lbDir = dir(labDir, 'lb');
  const backend = (name: string, port: number, servers: readonly string[]) => [
    `frontend ${name}`,
    `  bind 0.0.0.0:${port}`,
    `  default_backend ${name}`,
    `backend ${name}`,
    '  balance roundrobin',
    ...servers.map((s) => `  server ${s} ${s}:${port} check inter 200ms fall 1 rise 2`),
  ];
  secretFile(
    join(lbDir, 'haproxy.cfg'),
    [
      'global',
      '  maxconn 4096',
      'defaults',
      '  mode tcp',
      '  timeout connect 2s',
      '  timeout client 60s',
      '  timeout server 60s',
      '  timeout check 2s',
      '  retries 3',
      '  option redispatch',
      '  default-server init-addr last,libc,none',
      ...backend('in_psk', 8445, IN_REPLICAS),
      ...backend('mef_psk', 8443, MEF_REPLICAS),
      ...backend('mef_admin', 8081, MEF_REPLICAS),
      '',
    ].join('\n'),
  );
  return { dir: labDir, mefAdminToken, inMefKeyHex };
}

/** A load generator's directory (ld1, ld2, ...): its enrolled PSK (KeID and Kpsa) and configuration. */
export function writeLoader(lab: ScaleLab, name: string, identity: string, keyHex: string): void {
  const d = dir(lab.dir, name);
  secretFile(join(d, 'psk.hex'), keyHex);
  secretFile(
    join(d, 'config.json'),
    json({
      registrar: { cseId: '/id-in', cseBaseName: 'cse-in' },
      transport: { kind: 'http', url: 'https://lb:8445', psk: { identity, keyFile: `${IN}/psk.hex` } },
      appId: 'Nload',
      container: { rn: 'data' },
      requestTimeoutMs: 5000,
    }),
  );
}
