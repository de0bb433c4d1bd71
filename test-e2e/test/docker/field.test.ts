// Issue 18 "Must show" in CI, topology (a) from the images (infra/docker/compose.field.yaml): the data path
// AE -> MN-CSE -> IN-CSE, an ACP refusal (4103), an impersonation refusal (4106), an enrolment through the
// MEF ending in a TLS-PSK association with the IN-CSE, and an AE associated through the MAF-based SAEF. Runs when M2MSEC_DOCKER=1 (scripts/test.sh sets it
// after starting its own dockerd and building the images); without it the suite is skipped and says why.
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { currentEnrolment, targetPsk } from '@m2msec/rspf';
import { OneM2MClient } from '@m2msec/saef';
import { openSoftwareSecureEnvironment } from '@m2msec/secure-environment';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ComposeProject, composeFile, dockerUnavailable, poll } from '../../src/docker/compose.js';
import {
  CONTAINER_UID,
  type Lab,
  MAF_ADMIN_FQDN,
  MAF_CLIENTS,
  MAF_FQDN,
  MEF_FQDN,
  RSPF_SAEF,
  secretFile,
  writeLab,
} from '../../src/docker/lab.js';

const IMAGES = ['m2msec/in-cse', 'm2msec/mn-cse', 'm2msec/ae', 'm2msec/mef', 'm2msec/maf', 'm2msec/mosquitto'].map(
  (i) => `${i}:latest`,
);
const wanted = process.env.M2MSEC_DOCKER === '1';
// Asked for but impossible is a failure; not asked for is a skip that names the reason.
const unavailable = wanted ? dockerUnavailable(IMAGES) : 'M2MSEC_DOCKER is not 1 (scripts/test.sh sets it)';
if (!wanted) console.log(`[docker] topology (a) skipped: ${unavailable}`);

let lab: Lab;
let project: ComposeProject;
let inAddress: string;
let mefAddress: string;
let mafAddress: string;

/** A client of the IN-CSE's certificate listener holding one of the lab's credentials. */
function certClient(cred: { cert: string; key: string }) {
  return new OneM2MClient({
    baseUrl: `https://${inAddress}:8443`,
    framework: {
      kind: 'certificate',
      cert: cred.cert,
      key: cred.key,
      trustAnchors: [lab.caPem],
      servername: 'id-in.m2msec.org',
    },
    timeoutMs: 20_000,
  });
}

async function mefAdmin(method: string, path: string, body: unknown) {
  const r = await fetch(`http://${mefAddress}:8081${path}`, {
    method,
    headers: { authorization: `Bearer ${lab.mefAdminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: r.status, body: await r.json() };
}

const events = (service: string) =>
  project
    .logs(service)
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, any>);

describe.skipIf(!wanted)('docker topology (a): the field in the secure profile, from the images', () => {
  beforeAll(async () => {
    if (unavailable) throw new Error(`the docker scenarios were asked for but cannot run: ${unavailable}`);
    lab = writeLab(mkdtempSync(join(tmpdir(), 'm2msec-docker-a-')));
    project = new ComposeProject(`m2msec-a-${randomBytes(3).toString('hex')}`, composeFile('compose.field.yaml'), {
      M2MSEC_LAB: lab.dir,
    });
    const up = project.run(['up', '-d'], 300_000);
    if (up.status !== 0) {
      const logs = ['in-cse', 'mn-cse', 'mosquitto', 'mef'].map(
        (s) => `--- ${s}\n${project.run(['logs', s]).stdout.slice(-2000)}`,
      );
      throw new Error(`docker-compose up failed: ${up.stderr.slice(-2000)}\n${logs.join('\n')}`);
    }
    inAddress = project.addresses('in-cse').core!;
    mefAddress = project.addresses('mef').core!;
    mafAddress = project.addresses('maf').core!;
    // The operator opens the data container: the device writes, Cae2 reads, nobody else.
    const admin = certClient(lab.admin);
    try {
      const acp = await admin.request({
        op: 1,
        to: 'cse-in',
        from: 'CAdmin',
        ty: 1,
        pc: {
          'm2m:acp': {
            rn: 'acpData',
            pv: {
              acr: [
                { acor: ['/id-mn/Cae1'], acop: 3 },
                { acor: ['/id-in/Cae2'], acop: 2 },
              ],
            },
            pvs: { acr: [{ acor: ['CAdmin'], acop: 63 }] },
          },
        },
      });
      expect(acp.rsc, JSON.stringify(acp.pc)).toBe(2001);
      const cnt = await admin.request({
        op: 1,
        to: 'cse-in',
        from: 'CAdmin',
        ty: 3,
        pc: { 'm2m:cnt': { rn: 'data', acpi: ['cse-in/acpData'] } },
      });
      expect(cnt.rsc, JSON.stringify(cnt.pc)).toBe(2001);
    } finally {
      admin.agent.destroy();
    }
    // `up -d` does not wait for the MEF (nothing depends on it): poll its admin listener, bounded.
    const mefUp = Date.now() + 120_000;
    for (;;) {
      const r = await fetch(`http://${mefAddress}:8081/admin/enrolees`).catch(() => undefined);
      if (r?.status === 401) break;
      if (Date.now() > mefUp) {
        throw new Error(`the MEF did not come up:\n${project.run(['logs', 'mef']).stdout.slice(-3000)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    // The IN-CSE is the MEF's Enrolment Target /id-in; its key at the MEF is the one in its own directory.
    const target = await mefAdmin('PUT', '/admin/targets/%2Fid-in', {
      pskIdentity: 'id-in@m2msec.org',
      key: lab.inMefKeyHex,
    });
    expect(target.status, JSON.stringify(target.body)).toBe(200);
  }, 420_000);

  afterAll(() => {
    project?.down();
    if (lab) rmSync(lab.dir, { recursive: true, force: true });
  });

  it('every node runs from its image as uid 10001 on a read-only root, on its own networks', () => {
    const expected: Record<string, string[]> = {
      'in-cse': ['core'],
      'mn-cse': ['core', 'field'],
      mosquitto: ['field'],
      mef: ['core'],
      maf: ['core'],
      ae1: ['field'],
      ae2: ['core'],
      ae3: ['core'],
    };
    for (const [service, nets] of Object.entries(expected)) {
      const c = project.inspect(service);
      expect(c.State.Running, service).toBe(true);
      expect(c.Config.User, service).toBe(`${CONTAINER_UID}:${CONTAINER_UID}`);
      expect(c.HostConfig.ReadonlyRootfs, service).toBe(true);
      expect(Object.keys(project.addresses(service)).sort(), service).toEqual(nets);
      expect(c.Config.Image, service).toMatch(/^m2msec\//);
    }
    // A device's network has no route to the IN-CSE: only the MN-CSE spans both.
    const probe = project.run([
      'exec',
      '-T',
      'ae1',
      '/usr/bin/node',
      '-e',
      "require('dns').lookup('in-cse',(e)=>process.exit(e?3:0))",
    ]);
    expect(probe.status).toBe(3);
  });

  it('data path: the device AE -> MN-CSE (MQTT, TLS-PSK) -> IN-CSE (HTTPS, certificate) -> read by Cae2', async () => {
    const admin = certClient(lab.admin);
    try {
      const latest = await poll(
        async () => {
          const r = await admin.request({ op: 2, to: 'cse-in/data/la', from: 'CAdmin' });
          return r.rsc === 2000 ? r.pc['m2m:cin'] : undefined;
        },
        120_000,
        () =>
          `no reading at the IN-CSE; ae1: ${project.logs('ae1').slice(-1500)}\nmn-cse: ${project.logs('mn-cse').slice(-1500)}`,
      );
      expect(latest.con).toMatch(/"seq"/);
      // The MN-CSE registered with the IN-CSE over its certificate association.
      const csr = await admin.request({ op: 2, to: 'cse-in/id-mn', from: 'CAdmin' });
      expect(csr.rsc).toBe(2000);
      expect(csr.pc['m2m:csr']).toMatchObject({ csi: '/id-mn', cst: 2 });
    } finally {
      admin.agent.destroy();
    }
    const posted = events('ae1').filter((e) => e.event === 'posted');
    expect(posted.some((e) => e.rsc === 2001)).toBe(true);
    // The viewer container Cae2 reads the readings (its ACP entry).
    await poll(
      () =>
        events('ae2').some((e) => e.event === 'retrieved' && e.rsc === 2000 && /"seq"/.test(e.con)) ? true : undefined,
      60_000,
      () => `ae2 never read a reading: ${project.logs('ae2').slice(-1500)}`,
    );
  });

  it('ACP refusal: Cae3 is not in the data container ACP (4103), in its own container and from its certificate', async () => {
    await poll(
      () => (events('ae3').some((e) => e.event === 'retrieved' && e.rsc === 4103) ? true : undefined),
      60_000,
      () => `ae3 never saw 4103: ${project.logs('ae3').slice(-1500)}`,
    );
    expect(events('ae3').some((e) => e.event === 'retrieved' && e.rsc === 2000)).toBe(false);
    const ae3 = certClient(lab.ae3);
    try {
      expect((await ae3.request({ op: 2, to: 'cse-in/data/la', from: 'Cae3' })).rsc).toBe(4103);
    } finally {
      ae3.agent.destroy();
    }
  });

  it('impersonation: Cae3’s certificate claiming Cae2 or the administrator is refused (4106)', async () => {
    const ae3 = certClient(lab.ae3);
    try {
      const asCae2 = await ae3.request({ op: 2, to: 'cse-in/data/la', from: 'Cae2' });
      expect(asCae2.rsc, JSON.stringify(asCae2.pc)).toBe(4106);
      const asAdmin = await ae3.request({ op: 2, to: 'cse-in/data/la', from: 'CAdmin' });
      expect(asAdmin.rsc, JSON.stringify(asAdmin.pc)).toBe(4106);
    } finally {
      ae3.agent.destroy();
    }
  });

  it('enrolment through the MEF: Kpm -> Kpsa in the device, the IN-CSE fetches it, the AE registers over TLS-PSK', async () => {
    const kpmId = 'kpm-sensor-1';
    const kpm = randomBytes(32).toString('hex');
    const put = await mefAdmin('PUT', `/admin/enrolees/psk/${kpmId}`, {
      kpm,
      enroleeId: 'Csensor1',
      targets: [{ targetId: '/id-in', suid: RSPF_SAEF }],
      enrolmentExpirySeconds: 3600,
    });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    // The device's pre-provisioned key reaches the enrolee container as a 0600 file, never on a command line.
    const enrolDir = join(lab.dir, 'enrol');
    mkdirSync(enrolDir, { recursive: true, mode: 0o755 });
    secretFile(join(enrolDir, 'kpm.hex'), kpm);
    const r = project.run(
      [
        '--profile',
        'tools',
        'run',
        '--rm',
        '-T',
        'enrol',
        'psk',
        '--mef',
        'https://mef:8443',
        '--mef-fqdn',
        MEF_FQDN,
        '--kpm-id',
        kpmId,
        '--kpm-file',
        '/run/m2msec/kpm.hex',
        '--se-dir',
        '/device',
        '--target',
        '/id-in',
      ],
      180_000,
    );
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout + r.stderr).not.toContain(kpm);
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!);
    // What the device holds, read back from its secure environment after the container exited.
    const se = await openSoftwareSecureEnvironment({
      path: join(lab.deviceDir, 'keystore.json'),
      keyFile: join(lab.deviceDir, 'keystore.key'),
    });
    const psk = await targetPsk(se, await currentEnrolment(se), '/id-in');
    await se.close();
    expect(psk.identity).toBe(out.keID);
    const device = new OneM2MClient({
      baseUrl: `https://${inAddress}:8445`,
      framework: { kind: 'psk', identity: psk.identity, key: Buffer.from(psk.key) },
      timeoutMs: 20_000,
    });
    const register = (aeId: string) =>
      device.request({
        op: 1,
        to: 'cse-in',
        from: aeId,
        ty: 2,
        pc: { 'm2m:ae': { rn: aeId, api: 'Nsensor', rr: false, srv: ['3'] } },
      });
    try {
      // The IN-CSE learns the KeID on the first handshake (a miss), fetches Kpsa from the MEF, then accepts.
      const reg = await poll(
        () => register('Csensor1').catch(() => undefined),
        60_000,
        () => `the enrolee never associated; in-cse: ${project.logs('in-cse').slice(-2000)}`,
      );
      expect(reg.rsc, JSON.stringify(reg.pc)).toBe(2001);
      expect(reg.pc['m2m:ae'].aei).toBe('Csensor1');
      // The association is bound to the Enrolee-ID the MEF named.
      expect((await register('Cimpostor')).rsc).toBe(4106);
    } finally {
      device.agent.destroy();
    }
  });

  it('MAF-based SAEF: the AE registers a key at the MAF for the IN-CSE and associates on its first handshake', async () => {
    const mafAdmin = (kmId: string, clientId: string, km: string) =>
      fetch(`http://${mafAddress}:8081/admin/clients/psk/${encodeURIComponent(kmId)}`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${lab.mafAdminToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ km, clientId }),
      });
    // The operator provisions the Km of the IN-CSE (Entity B) and of the AE (Entity A) at the MAF.
    for (const [c, km] of [
      [MAF_CLIENTS.in, lab.mafKmHex.in],
      [MAF_CLIENTS.ae, lab.mafKmHex.ae],
    ] as const) {
      const r = await poll(
        () => mafAdmin(c.kmId, c.clientId, km).catch(() => undefined),
        120_000,
        () => `the MAF admin listener never answered: ${project.logs('maf').slice(-1500)}`,
      );
      expect(r.status, await r.text()).toBe(200);
    }
    // The IN-CSE registers at the MAF with its Km (retrying until the MAF knows it).
    await poll(
      async () => {
        const r = await fetch(`http://${mafAddress}:8081/admin/clientRegs`, {
          headers: { authorization: `Bearer ${lab.mafAdminToken}` },
        }).catch(() => undefined);
        const text = r?.status === 200 ? await r.text() : '';
        return text.includes(MAF_CLIENTS.in.clientId) ? true : undefined;
      },
      120_000,
      () => `the IN-CSE never registered at the MAF: ${project.logs('in-cse').slice(-2000)}`,
    );
    // Entity A, its Km on stdin (never on a command line): Key Registration for the target, then ONE request
    // over TLS-PSK with psk_identity = Key Identifier; exit 0 connected, 3 refused by the CSE.
    const entityA = (target: string) =>
      project.run(
        [
          '--profile',
          'tools',
          'run',
          '--rm',
          '-T',
          'maf-client',
          'connect',
          '--maf-url',
          'https://maf:8443',
          '--maf-fqdn',
          MAF_FQDN,
          '--km-id',
          MAF_CLIENTS.ae.kmId,
          '--admin-fqdn',
          MAF_ADMIN_FQDN,
          '--target',
          target,
          '--cse-url',
          'https://in-cse:8445',
          '--to',
          'cse-in',
          '--from',
          MAF_CLIENTS.ae.aeId,
          '--register-ae',
          'Nmaf',
        ],
        180_000,
        lab.mafKmHex.ae,
      );
    const steps = (out: string) =>
      out
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, any>);
    const ok = entityA(MAF_CLIENTS.in.clientId);
    expect(ok.status, `${ok.stdout}\n${ok.stderr}`).toBe(0);
    expect(ok.stdout + ok.stderr).not.toContain(lab.mafKmHex.ae);
    const okSteps = steps(ok.stdout);
    expect(okSteps.find((x) => x.step === 'key-registered')?.notifiedTargets).toEqual({
      [MAF_CLIENTS.in.clientId]: 'held',
    });
    const first = okSteps.find((x) => x.step === 'first-connection')!;
    expect(first).toMatchObject({ ok: true, rsc: 2001 });
    expect(JSON.parse(first.body)['m2m:ae'].aei).toBe(MAF_CLIENTS.ae.aeId);
    // A key the MAF registered for another CSE opens no association with this one.
    const other = entityA('//m2msec.org/id-other');
    expect(other.status, `${other.stdout}\n${other.stderr}`).toBe(3);
    expect(steps(other.stdout).find((x) => x.step === 'first-connection')?.ok).toBe(false);
  });
});
