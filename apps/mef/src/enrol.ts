#!/usr/bin/env node
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Agent } from 'node:https';
import { join } from 'node:path';
import { bootstrap, Usim, type UsimState, uePskForNaf } from '@m2msec/gba';
import { answerHelpAndVersion } from '@m2msec/node/cli';
// m2msec-enrol: the AE-side RSPF client (TS-0003 8.3.2). One call from a bootstrap credential to
// stored keys / certificate, atomically in the device's secure environment (a software SE keystore
// in --se-dir). Prints JSON metadata, never key bytes. Keys come from files readable by their owner only
// or from stdin ('-'), never from argv (visible in ps and shell history).
//   m2msec-enrol psk  --mef <url> --mef-fqdn <fqdn> --kpm-id <KpmID> --kpm-file <file|-> --se-dir <dir>
//                     [--target <id>]... [--announce <target announce URL>]...
//   m2msec-enrol cert --mef <url> --mef-fqdn <fqdn> --cert <pem> --key <pem> --ca <pem> --se-dir <dir> --san <uri|dns>...
//   m2msec-enrol bulk --mef <url> --mef-fqdn <fqdn> --csv <file> --out-dir <dir> [--concurrency <n>] [--target <id>]...
//                     CSV header: kpmId,kpmHex  (one device per row; each gets <out-dir>/<kpmId>/ as its SE;
//                     the CSV holds keys: mode 0600 or refused)
//   m2msec-enrol gba  --bsf <Ub URL> --impi <IMPI> --k-file <file|-> (--opc-file <file|-> | --op-file <file|->)
//                     [--usim-state <file>]
//                     [--ca <pem>] [--naf <NAF FQDN> --psk-out <file>]...
//                     GBA-based RSPF (8.3.2.3): bootstrap with the MEF as BSF (B-TID = KeID), then per
//                     Enrolment Target Ks_NAF (= Kpsa / Km, psk_identity = B-TID) written as hex to --psk-out
//                     (mode 0600) for the device's TLS stack; --usim-state keeps SEQ_MS across runs.
//   m2msec-enrol show  --se-dir <dir>      current enrolment (manifest)
//   m2msec-enrol check --se-dir <dir>      consistency of the stored credential set
import { explainTlsClientError } from '@m2msec/observability';
import { checkEnrolmentSet, currentEnrolment, type EnrolmentResult, type EnrolOptions, enrol } from '@m2msec/rspf';
import {
  checkSecretFileMode,
  createKeyFile,
  keyInArgvRefused,
  openSoftwareSecureEnvironment,
  readHexKeySource,
  readSecretSource,
  SecretAtRestError,
  type SecureEnvironment,
} from '@m2msec/secure-environment';
import { SingleBar } from 'cli-progress';
import { parse } from 'csv-parse/sync';

// --help / --version answer before anything is read or opened (issue 19).
answerHelpAndVersion({
  name: 'm2msec-enrol',
  packageJson: new URL('../package.json', import.meta.url),
  summary: 'the AE-side RSPF client (TS-0003 8.3.2): bootstrap credential to stored keys / certificate',
  usage: [
    'psk --mef <url> --mef-fqdn <fqdn> --kpm-id <KpmID> --kpm-file <file|-> --se-dir <dir> [--target <id>]... [--announce <URL>]...',
    'cert --mef <url> --mef-fqdn <fqdn> --cert <pem> --key <pem> --ca <pem> --se-dir <dir> --san <uri|dns>...',
    'bulk --mef <url> --mef-fqdn <fqdn> --csv <file> --out-dir <dir> [--concurrency <n>] [--target <id>]...',
    'gba --bsf <Ub URL> --impi <IMPI> --k-file <file|-> (--opc-file <file|-> | --op-file <file|->) ...',
  ],
  details:
    'Keys come from files readable by their owner only or from stdin (-), never from argv. See apps/mef/README.md.',
});

class UsageError extends Error {}

function options(argv: string[]): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--') || i + 1 >= argv.length) throw new UsageError(`unexpected argument '${a}'`);
    m.set(a.slice(2), [...(m.get(a.slice(2)) ?? []), argv[++i]!]);
  }
  return m;
}

function one(o: Map<string, string[]>, name: string): string {
  const v = o.get(name);
  if (v?.length !== 1) throw new UsageError(`--${name} is required once`);
  return v[0]!;
}

function hexKey(text: string, what: string): Buffer {
  const t = text.trim();
  if (!/^([0-9a-fA-F]{2}){16,64}$/.test(t)) throw new UsageError(`${what} must be 16 to 64 bytes of hex`);
  return Buffer.from(t, 'hex');
}

/** Options that used to carry a key in argv, and the file/stdin option that replaces each. */
const keyInArgv: Record<string, string> = {
  'kpm-hex': '--kpm-file',
  k: '--k-file',
  opc: '--opc-file',
  op: '--op-file',
};

function refuseKeysInArgv(o: Map<string, string[]>): void {
  for (const [old, replacement] of Object.entries(keyInArgv)) {
    if (o.has(old)) throw keyInArgvRefused(`--${old}`, replacement);
  }
  const fromStdin = [...o.entries()].filter(([k, v]) => k.endsWith('-file') && v.includes('-'));
  if (fromStdin.length > 1) throw new UsageError('only one key can be read from stdin (-); give the others as files');
}

/** A hex key from --<name> <file|-> (file mode checked). */
function keyFrom(o: Map<string, string[]>, name: string): Buffer {
  return readHexKeySource(one(o, name), `--${name}`);
}

/** The device's SE: a software keystore in dir (key file created on first use). */
export async function openDeviceSe(dir: string): Promise<SecureEnvironment> {
  mkdirSync(dir, { recursive: true });
  const keyFile = join(dir, 'keystore.key');
  if (!existsSync(keyFile)) createKeyFile(keyFile);
  return openSoftwareSecureEnvironment({ path: join(dir, 'keystore.json'), keyFile });
}

const summary = (r: EnrolmentResult) => ({
  keID: r.keId,
  enroleeID: r.enroleeId,
  expirationTime: new Date(r.expiresAt).toISOString(),
  targets: r.manifest.targets.map((t) => ({ targetId: t.targetId, suid: t.suid, derivation: t.derivation })),
  certificate: r.certificate ? true : undefined,
});

/** Tell each target our KeID so it fetches the key before we connect (docs/mef.md). */
async function announce(urls: string[], keId: string): Promise<void> {
  for (const url of urls) {
    const r = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ keID: keId }),
      signal: AbortSignal.timeout(20_000),
    });
    if (r.status !== 200) throw new Error(`the target at ${url} could not fetch the key (${r.status})`);
  }
}

async function enrolPsk(o: Map<string, string[]>): Promise<void> {
  const se = await openDeviceSe(one(o, 'se-dir'));
  try {
    const r = await enrol({
      mefUrl: one(o, 'mef'),
      mefFqdn: one(o, 'mef-fqdn'),
      bootstrap: { kind: 'psk', kpmId: one(o, 'kpm-id'), kpm: keyFrom(o, 'kpm-file') },
      se,
      expectedTargets: o.get('target') ?? [],
    });
    await announce(o.get('announce') ?? [], r.keId);
    process.stdout.write(`${JSON.stringify(summary(r))}\n`);
  } finally {
    await se.close();
  }
}

async function enrolCert(o: Map<string, string[]>): Promise<void> {
  const se = await openDeviceSe(one(o, 'se-dir'));
  try {
    const sans = o.get('san') ?? [];
    if (sans.length === 0) throw new UsageError('--san is required (the identity to certify)');
    // The certified key pair: generated in the SE before the enrolment (a key without a certificate
    // is no credential set); reused by a retried enrolment.
    const keyId = 'device/certificate-key';
    if (!(await se.getKey(keyId))) await se.generateKey({ id: keyId, algorithm: 'EC-P256', usages: ['sign'] });
    const r = await enrol({
      mefUrl: one(o, 'mef'),
      mefFqdn: one(o, 'mef-fqdn'),
      bootstrap: {
        kind: 'certificate',
        cert: readFileSync(one(o, 'cert')),
        key: readSecretSource(one(o, 'key'), 'private key (--key)'),
        trustAnchors: [readFileSync(one(o, 'ca'))],
      },
      se,
      certificate: {
        key: { se, key: keyId },
        subjectAltName: sans.map((v) =>
          /^[a-z][a-z0-9+.-]*:/i.test(v) ? { type: 'uri', value: v } : { type: 'dns', value: v },
        ),
      },
    });
    process.stdout.write(`${JSON.stringify(summary(r))}\n`);
  } finally {
    await se.close();
  }
}

function hex16(o: Map<string, string[]>, name: string): Buffer {
  const b = keyFrom(o, name);
  if (b.length !== 16) throw new UsageError(`--${name} must be 16 bytes of hex`);
  return b;
}

async function enrolGba(o: Map<string, string[]>): Promise<void> {
  const nafs = o.get('naf') ?? [];
  const outs = o.get('psk-out') ?? [];
  if (nafs.length !== outs.length) throw new UsageError('give one --psk-out per --naf');
  if (o.has('opc-file') === o.has('op-file')) throw new UsageError('give exactly one of --opc-file and --op-file');
  const stateFile = o.get('usim-state')?.[0];
  const state =
    stateFile && existsSync(stateFile) ? (JSON.parse(readFileSync(stateFile, 'utf8')) as UsimState) : undefined;
  const k = hex16(o, 'k-file');
  const opKey = o.has('opc-file') ? 'opc' : 'op';
  const opValue = hex16(o, `${opKey}-file`);
  const usim = new Usim({ k, [opKey]: opValue, ...(state ? { state } : {}) });
  k.fill(0);
  opValue.fill(0);
  const ca = o.get('ca')?.[0];
  const session = await bootstrap({
    url: one(o, 'bsf'),
    impi: one(o, 'impi'),
    usim,
    ...(ca ? { agent: new Agent({ ca: readFileSync(ca) }) } : {}),
  });
  // SEQ_MS moved on (and after a resynchronisation the HE's too): keep it for the next run's freshness check.
  if (stateFile) writeFileSync(stateFile, `${JSON.stringify(usim.exportState())}\n`, { mode: 0o600 });
  try {
    const targets = nafs.map((nafFqdn, i) => {
      const { identity, psk } = uePskForNaf(session, nafFqdn);
      writeFileSync(outs[i]!, `${psk.toString('hex')}\n`, { mode: 0o600 });
      psk.fill(0);
      return { nafFqdn: nafFqdn.toLowerCase(), pskIdentity: identity, pskFile: outs[i] };
    });
    process.stdout.write(
      `${JSON.stringify({ btid: session.btid, impi: session.impi, expirationTime: session.expiresAt.toISOString(), targets })}\n`,
    );
  } finally {
    session.destroy();
  }
}

async function bulk(o: Map<string, string[]>): Promise<void> {
  const csv = one(o, 'csv');
  checkSecretFileMode(csv, 'CSV of Kpm keys (--csv)');
  const rows = parse(readFileSync(csv), { columns: true, skip_empty_lines: true, trim: true }) as Array<
    Record<string, string>
  >;
  if (rows.length === 0) throw new UsageError('the CSV holds no device rows');
  for (const [i, r] of rows.entries()) {
    if (!r.kpmId || !r.kpmHex) throw new UsageError(`CSV row ${i + 2}: kpmId and kpmHex are required`);
    if (!/^[A-Za-z0-9._@-]{1,128}$/.test(r.kpmId))
      throw new UsageError(`CSV row ${i + 2}: kpmId has characters a directory name cannot hold`);
  }
  const outDir = one(o, 'out-dir');
  const concurrency = Math.max(1, Math.min(64, Number(o.get('concurrency')?.[0] ?? 4)));
  const bar = new SingleBar({
    format: 'enrolling [{bar}] {value}/{total} devices | {failed} failed | {eta_formatted} left',
    stream: process.stderr,
    hideCursor: true,
    noTTYOutput: true,
    notTTYSchedule: 1000,
  });
  bar.start(rows.length, 0, { failed: 0 });
  const results: Array<Record<string, unknown>> = [];
  let next = 0;
  let failed = 0;
  const base: Omit<EnrolOptions, 'bootstrap' | 'se'> = {
    mefUrl: one(o, 'mef'),
    mefFqdn: one(o, 'mef-fqdn'),
    expectedTargets: o.get('target') ?? [],
  };
  const worker = async () => {
    while (next < rows.length) {
      const row = rows[next++]!;
      const se = await openDeviceSe(join(outDir, row.kpmId!));
      try {
        const r = await enrol({
          ...base,
          se,
          bootstrap: { kind: 'psk', kpmId: row.kpmId!, kpm: hexKey(row.kpmHex!, 'kpmHex') },
        });
        results.push({ kpmId: row.kpmId, ok: true, ...summary(r) });
      } catch (e) {
        failed++;
        results.push({ kpmId: row.kpmId, ok: false, error: (e as Error).message });
      } finally {
        await se.close();
        bar.increment(1, { failed });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, rows.length) }, worker));
  bar.stop();
  writeFileSync(join(outDir, 'results.jsonl'), `${results.map((r) => JSON.stringify(r)).join('\n')}\n`);
  process.stdout.write(`${JSON.stringify({ devices: rows.length, enrolled: rows.length - failed, failed })}\n`);
  if (failed > 0) process.exitCode = 1;
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  const o = options(rest);
  refuseKeysInArgv(o);
  switch (command) {
    case 'psk':
      return enrolPsk(o);
    case 'cert':
      return enrolCert(o);
    case 'bulk':
      return bulk(o);
    case 'gba':
      return enrolGba(o);
    case 'show': {
      const se = await openDeviceSe(one(o, 'se-dir'));
      try {
        const m = await currentEnrolment(se);
        process.stdout.write(
          `${JSON.stringify({ keID: m.keID, enroleeID: m.enroleeID, expirationTime: new Date(m.expirationTime).toISOString(), targets: m.targets.map((t) => t.targetId) })}\n`,
        );
      } finally {
        await se.close();
      }
      return;
    }
    case 'check': {
      const se = await openDeviceSe(one(o, 'se-dir'));
      try {
        const problems = await checkEnrolmentSet(se);
        process.stdout.write(`${JSON.stringify({ consistent: problems.length === 0, problems })}\n`);
        if (problems.length) process.exitCode = 1;
      } finally {
        await se.close();
      }
      return;
    }
    default:
      throw new UsageError(`unknown command '${command ?? ''}' (psk, cert, gba, bulk, show, check)`);
  }
}

main(process.argv.slice(2)).catch((e) => {
  const usage = e instanceof UsageError || e instanceof SecretAtRestError;
  // A refused handshake says what to check (wrong Kpm, unknown KpmID), not OpenSSL's text alone.
  const argv = process.argv.slice(2);
  const kpmId = argv[argv.indexOf('--kpm-id') + 1];
  const tls = usage
    ? undefined
    : explainTlsClientError(e, {
        server: 'the MEF',
        ...(argv.includes('--kpm-id') && kpmId ? { identity: kpmId } : {}),
        keySource: '--kpm-file',
        identitySource: '--kpm-id',
      });
  process.stderr.write(`m2msec-enrol: ${usage ? e.message : `failed: ${tls ?? (e as Error).message}`}\n`);
  process.exit(usage ? 2 : 1);
});
