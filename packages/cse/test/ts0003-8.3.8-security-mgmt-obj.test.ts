// The remote security configuration <mgmtObj>s (mgd 1022..1026; TS-0001 Annex D, TS-0003 8.3.8, 8.3.9.9,
// 12.4.2; choices in docs/remote-security-config.md): created under a <node> with their attribute checks,
// every bad value refused with 4000 and a precise message and nothing stored, and no private key ever
// accepted (PEM, base64 or hex DER, in any attribute).
import { execFileSync } from 'node:child_process';
import { createHash, generateKeyPairSync, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCseOn, storeKinds } from './stores.js';

const admin = 'CAdmin';
const imei = 'urn:gsma:imei:90420156-025763-0';
let dir: string;
let certPem: string;
let keyPem: string;
let fingerprint: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sec-mgo-'));
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', '/CN=ta',
    '-days', '1', '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem'),
  ], { stdio: 'ignore' }); // biome-ignore format: argv
  certPem = readFileSync(join(dir, 'c.pem'), 'utf8');
  keyPem = readFileSync(join(dir, 'k.pem'), 'utf8');
  fingerprint = createHash('sha256').update(new X509Certificate(certPem).raw).digest('hex');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const mefCfg = { mgd: 1026, fqdn: 'mef.m2msec.org', adfq: 'admin.m2msec.org', hpt: 8443 };

describe.each(storeKinds)('TS-0003 8.3.8 security <mgmtObj>s under <node> [%s]', (kind) => {
  async function setUp() {
    const h = await openCseOn(kind);
    await h.send({ op: 1, to: 'cse-in', fr: admin, ty: 14, pc: { 'm2m:nod': { rn: 'node1', ni: imei } } });
    // pc is deliberately any value: malformed contents must reach the validator.
    const mk = (pc: unknown) =>
      h.send({ op: 1, to: 'cse-in/node1', fr: admin, ty: 13, pc: pc as Record<string, unknown> });
    return { ...h, mk };
  }

  it('creates the five, with links between them, each pending (apst 1) until the device reports', async () => {
    const { send, mk } = await setUp();
    const mef = await mk({ 'm2m:mefcr': { rn: 'mef', ...mefCfg } });
    expect(mef.rsc, mef.dbg).toBe(2001);
    const mefRi = (mef.pc as any)['m2m:mefcr'].ri;
    const maf = await mk({ 'm2m:mafcr': { rn: 'maf', mgd: 1025, fqdn: 'maf.m2msec.org', adfq: 'admin.m2msec.org' } });
    expect(maf.rsc, maf.dbg).toBe(2001);
    const ta = await mk({ 'm2m:tac': { rn: 'ta', mgd: 1024, cfp: fingerprint, turi: 'https://127.0.0.1/ta.pem' } });
    expect(ta.rsc, ta.dbg).toBe(2001);
    const taRi = (ta.pc as any)['m2m:tac'].ri;
    const cert = await mk({ 'm2m:mcfc': { rn: 'cert', mgd: 1023, suids: [41], mcff: 'pem', mecr: mefRi } });
    expect(cert.rsc, cert.dbg).toBe(2001);
    const withChain = await mk({ 'm2m:mcfc': { rn: 'cert2', mgd: 1023, mcfct: certPem } });
    expect(withChain.rsc, withChain.dbg).toBe(2001);
    const ap = await mk({
      'm2m:aupf': { rn: 'ap', mgd: 1022, suid: 41, tlscs: [0xc02b], mcfp: fingerprint, tacs: [taRi], mecr: mefRi },
    });
    expect(ap.rsc, ap.dbg).toBe(2001);
    for (const [rn, root] of [
      ['mef', 'm2m:mefcr'],
      ['maf', 'm2m:mafcr'],
      ['ta', 'm2m:tac'],
      ['cert', 'm2m:mcfc'],
      ['ap', 'm2m:aupf'],
    ]) {
      const r = await send({ op: 2, to: `cse-in/node1/${rn}`, fr: admin });
      expect(r.pc, rn).toEqual({ [root!]: expect.objectContaining({ ty: 13, apst: 1 }) });
    }
  });

  it('the device reports (apst, aprs, apfp, aptm); a configuration change makes it pending again', async () => {
    const { send, mk } = await setUp();
    await mk({ 'm2m:tac': { rn: 'ta', mgd: 1024, cfp: fingerprint, turi: 'https://127.0.0.1/ta.pem' } });
    const report = await send({
      op: 3,
      to: 'cse-in/node1/ta',
      fr: admin,
      pc: { 'm2m:tac': { cfgv: 1, apst: 2, aprs: 'installed', apfp: fingerprint, aptm: '20261207T180000' } },
    });
    expect(report.rsc, report.dbg).toBe(2004);
    expect(report.pc).toMatchObject({ 'm2m:tac': { cfgv: 1, apst: 2, aprs: 'installed', apfp: fingerprint } });
    const label = await send({ op: 3, to: 'cse-in/node1/ta', fr: admin, pc: { 'm2m:tac': { lbl: ['x'] } } });
    expect(label.pc).toMatchObject({ 'm2m:tac': { apst: 2 } });
    const change = await send({
      op: 3,
      to: 'cse-in/node1/ta',
      fr: admin,
      pc: { 'm2m:tac': { turi: 'https://127.0.0.1/other.pem' } },
    });
    expect(change.rsc, change.dbg).toBe(2004);
    expect((change.pc as any)['m2m:tac'].apst).toBe(1);
    expect((change.pc as any)['m2m:tac'].aprs).toBeUndefined();
    expect((change.pc as any)['m2m:tac'].cfgv).toBe(2);
  });

  it('a report of an older configuration does not overwrite the newer one (configVersion, 4105)', async () => {
    const { send, mk } = await setUp();
    await mk({ 'm2m:tac': { rn: 'ta', mgd: 1024, cfp: fingerprint, turi: 'https://127.0.0.1/ta.pem' } });
    const report = (pc: Record<string, unknown>) =>
      send({ op: 3, to: 'cse-in/node1/ta', fr: admin, pc: { 'm2m:tac': { apst: 2, aprs: 'installed', ...pc } } });
    // The device read version 1 and is applying it; meanwhile the administrator changes the configuration.
    const change = await send({
      op: 3,
      to: 'cse-in/node1/ta',
      fr: admin,
      pc: { 'm2m:tac': { turi: 'https://127.0.0.1/newer.pem' } },
    });
    expect((change.pc as any)['m2m:tac']).toMatchObject({ cfgv: 2, apst: 1 });
    // The device's report of version 1 arrives late: refused, the newer configuration stays pending.
    const late = await report({ cfgv: 1 });
    expect(late.rsc, late.dbg).toBe(4105);
    expect(late.dbg).toBe('the report is for configVersion 1, the configuration is now at 2: it is not recorded');
    const now = await send({ op: 2, to: 'cse-in/node1/ta', fr: admin });
    expect((now.pc as any)['m2m:tac']).toMatchObject({ cfgv: 2, apst: 1, turi: 'https://127.0.0.1/newer.pem' });
    expect((now.pc as any)['m2m:tac'].aprs).toBeUndefined();
    // A report without its version, a version written by hand, status and configuration in one UPDATE: 4000.
    expect((await report({})).dbg).toBe('a status report carries the configVersion (cfgv) it applied');
    const hand = await send({ op: 3, to: 'cse-in/node1/ta', fr: admin, pc: { 'm2m:tac': { cfgv: 7 } } });
    expect([hand.rsc, hand.dbg]).toEqual([
      4000,
      'configVersion (cfgv) is set by the CSE; an UPDATE names it only to report a status',
    ]);
    const both = await report({ cfgv: 2, turi: 'https://127.0.0.1/third.pem' });
    expect(both.rsc).toBe(4000);
    // The report of the current version is recorded.
    const ok = await report({ cfgv: 2 });
    expect(ok.rsc, ok.dbg).toBe(2004);
    expect((ok.pc as any)['m2m:tac']).toMatchObject({ cfgv: 2, apst: 2, turi: 'https://127.0.0.1/newer.pem' });
  });

  it('refuses bad values with 4000 and a message naming the attribute; nothing is stored', async () => {
    const { send, mk } = await setUp();
    const mef = await mk({ 'm2m:mefcr': { rn: 'mef', ...mefCfg } });
    const mefRi = (mef.pc as any)['m2m:mefcr'].ri;
    const ap = (extra: Record<string, unknown>) => ({
      'm2m:aupf': { mgd: 1022, suid: 41, tlscs: [0xc02b], mcfp: fingerprint, ...extra },
    });
    const cases: Array<[unknown, string]> = [
      [ap({ suid: 14 }), 'SUID (suid) 14 is not one of 11-13, 21-23, 31-33, 41-43'],
      [ap({ mcfp: 'AB' }), "myCertFingerprint (mcfp) must be the SHA-256 of the certificate's DER"],
      [ap({ mcfp: undefined }), 'SUID 41 needs myCertFingerprint (mcfp) (TS-0003 8.3.9.9.2)'],
      [ap({ tlscs: undefined }), 'SUID 41 needs TLSCiphersuites (tlscs)'],
      [ap({ suid: 21, krd: 3600 }), 'SUID 21 needs MEFClientRegCfgID (mecr)'],
      [ap({ suid: 11 }), 'SUID 11 needs symmKeyID (skid)'],
      [ap({ suid: 31, krd: 60 }), 'SUID 31 needs MAFClientRegCfgID (macr)'],
      [ap({ skv: 'c2VjcmV0' }), 'symmKeyValue (skv) is not accepted: a key never travels in a <mgmtObj>'],
      [ap({ tacs: [mefRi] }), `trustAnchorCredIDs (tacs) '${mefRi}' is not the resource ID of a trustAnchorCred`],
      [
        ap({ mecr: 'mgo-nowhere' }),
        "MEFClientRegCfgID (mecr) 'mgo-nowhere' is not the resource ID of a MEFClientRegCfg",
      ],
      [
        { 'm2m:tac': { mgd: 1024, cfp: fingerprint, turi: 'http://127.0.0.1/ta.pem' } },
        'URI (turi) must be an https URL',
      ],
      [{ 'm2m:tac': { mgd: 1024, turi: 'https://x/ta.pem' } }, "missing mandatory attribute 'cfp' in m2m:tac"],
      [
        { 'm2m:tac': { mgd: 1024, cfp: fingerprint, turi: 'https://x/', apst: 2 } },
        "attribute 'apst' of m2m:tac is not permitted in CREATE",
      ],
      [{ 'm2m:mcfc': { mgd: 1023, mcff: 'der', mecr: mefRi } }, "myCertFileFormat (mcff) must be 'pem'"],
      [{ 'm2m:mcfc': { mgd: 1023 } }, 'myCertFileCred needs myCertFileContent (mcfct) or MEFClientRegCfgID (mecr)'],
      [
        { 'm2m:mcfc': { mgd: 1023, mcfct: `${certPem}\ntrailing` } },
        'myCertFileContent (mcfct) must hold PEM CERTIFICATE blocks and nothing else',
      ],
      [{ 'm2m:mcfc': { mgd: 1023, suids: [41, 99] } }, "attribute 'suids' of m2m:mcfc must be a list of m2m:suid"],
      [{ 'm2m:mefcr': { ...mefCfg, fqdn: 'https://mef/' } }, 'fqdn must be a host name (an FQDN), not a URL'],
      [{ 'm2m:mefcr': { ...mefCfg, hpt: 70000 } }, "attribute 'hpt' of m2m:mefcr must be an unsigned 16-bit integer"],
      [{ 'm2m:mafcr': { mgd: 1025, fqdn: 'maf.m2msec.org' } }, "missing mandatory attribute 'adfq' in m2m:mafcr"],
    ];
    for (const [pc, msg] of cases) {
      const r = await mk(pc);
      expect([r.rsc, r.dbg], msg).toEqual([4000, expect.stringContaining(msg)]);
    }
    const all = await send({ op: 2, to: 'cse-in/node1', fr: admin, rcn: 4 });
    const body = (all.pc as any)['m2m:nod'];
    expect(body['m2m:aupf'] ?? []).toHaveLength(0);
    expect(body['m2m:tac'] ?? []).toHaveLength(0);
    expect(body['m2m:mcfc'] ?? []).toHaveLength(0);
    expect(body['m2m:mefcr']).toHaveLength(1);
  });

  it('refuses a private key in any attribute and any encoding, on CREATE and UPDATE (no partial state)', async () => {
    const { send, mk } = await setUp();
    const ok = await mk({ 'm2m:mcfc': { rn: 'cert', mgd: 1023, mcfct: certPem } });
    expect(ok.rsc, ok.dbg).toBe(2001);
    const der = (t: 'pkcs8' | 'sec1') =>
      generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'der', type: t }) as Buffer;
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ format: 'der', type: 'pkcs1' });
    const forms: Array<[string, string]> = [
      ['PEM key after the certificate', `${certPem}${keyPem}`],
      ['PEM key alone', keyPem],
      ['base64 PKCS#8', der('pkcs8').toString('base64')],
      ['hex SEC1', der('sec1').toString('hex')],
      ['base64 PKCS#1 RSA', (rsa as Buffer).toString('base64')],
    ];
    for (const [what, value] of forms) {
      for (const attr of ['mcfct', 'dc'] as const) {
        const c = await mk({ 'm2m:mcfc': { mgd: 1023, mcfct: certPem, [attr]: value } });
        expect([c.rsc, c.dbg], `${what} in ${attr}`).toEqual([
          4000,
          `attribute '${attr}' holds a private key: keys never travel in a <mgmtObj> (TS-0003 8.3.8)`,
        ]);
      }
      const u = await send({ op: 3, to: 'cse-in/node1/cert', fr: admin, pc: { 'm2m:mcfc': { dc: value } } });
      expect(u.rsc, `${what} in UPDATE`).toBe(4000);
      const lbl = await send({ op: 3, to: 'cse-in/node1/cert', fr: admin, pc: { 'm2m:mcfc': { lbl: [value] } } });
      expect(lbl.rsc, `${what} in a label`).toBe(4000);
    }
    const r = await send({ op: 2, to: 'cse-in/node1/cert', fr: admin });
    expect(JSON.stringify(r.pc)).not.toMatch(/PRIVATE KEY/);
    expect((r.pc as any)['m2m:mcfc'].dc).toBeUndefined();
  });
});
