#!/usr/bin/env node
// A local topology in one command (issue 19 item 5; `pnpm dev:topology` runs scripts/topology.sh, which
// installs and builds first): a development PKI, then the IN-CSE, MEF, MAF, MN-CSE and a PSK AE on loopback
// in the secure profile, with what to try next. Ctrl-C (or SIGTERM) stops them all and exits 0.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { adminRequest, setUpResources } from './admin.mjs';
import { KPSA_ID, writeConfigs } from './configs.mjs';
import { layout } from './layout.mjs';
import { makeDevPki } from './pki.mjs';
import { accepts, logOf, startProgram, stopAll, tail, until } from './processes.mjs';

const repo = new URL('../../', import.meta.url).pathname;
const dist = (app, file = 'main.js') => join(repo, 'apps', app, 'dist', file);

const HELP = `usage: bash scripts/topology.sh [--dir <dir>] [--base-port <port>] [--fresh]
       (or pnpm dev:topology -- [options])

Starts on 127.0.0.1, in the secure profile: the IN-CSE, the MN-CSE (registered to it over a certificate
association), the MEF, the MAF and an AE (registered to the IN-CSE over TLS-PSK), after making a
development PKI. Prints the URLs and the files holding the credentials (never the secrets), then runs
until Ctrl-C.

  --dir <dir>         state: PKI, keys, configuration, data, logs (default .data/topology)
  --base-port <port>  ports base..base+33, ten per program (default 18080); 0: free ports from the OS
  --fresh             remove <dir> first (new PKI, empty stores)
  -h, --help          this text
`;

function options() {
  const { values } = parseArgs({
    options: {
      dir: { type: 'string', default: join(repo, '.data', 'topology') },
      'base-port': { type: 'string', default: '18080' },
      fresh: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    process.exit(0);
  }
  const base = Number(values['base-port']);
  if (!Number.isInteger(base) || base < 0 || base > 65535 - 33) {
    throw new Error(`--base-port must be 0 or a port of at most ${65535 - 33}, not '${values['base-port']}'`);
  }
  return { dir: values.dir, basePort: base, fresh: values.fresh };
}

/** The PSK AE's Kpsa goes into the IN-CSE's SE once, bound to AE-ID Cae1, with the IN-CSE stopped. */
function provisionKpsa(l, configs) {
  const marker = join(l.keys, 'kpsa-provisioned');
  if (existsSync(marker)) return;
  const r = spawnSync(
    process.execPath,
    [
      dist('in-cse', 'credentials.js'),
      'add-psk',
      '--id',
      KPSA_ID,
      '--key-file',
      join(l.pki, 'ae1.psk'),
      '--bind',
      'Cae1',
    ],
    { encoding: 'utf8', env: { PATH: process.env.PATH, HOME: process.env.HOME, M2MSEC_CONFIG: configs.inCse } },
  );
  if (r.status !== 0) throw new Error(`provisioning the AE's Kpsa in the IN-CSE failed: ${r.stderr || r.stdout}`);
  writeFileSync(marker, `${KPSA_ID}\n`);
}

const lineIn = (p, re) => async () => re.test(logOf(p));

async function main() {
  const o = options();
  if (o.fresh) rmSync(o.dir, { recursive: true, force: true });
  const l = await layout(o.dir, o.basePort);
  mkdirSync(l.logs, { recursive: true, mode: 0o700 });
  for (const port of Object.values(l.ports)) {
    if (await accepts(l.host, port)) {
      throw new Error(
        `port ${port} on ${l.host} is in use (another topology?); stop it, or use --base-port <other> or --base-port 0`,
      );
    }
  }
  if (makeDevPki(l.pki)) console.error(`development PKI written to ${rel(l.pki)}`);
  const configs = writeConfigs(l);
  provisionKpsa(l, configs);

  const programs = [];
  let stopping = false;
  const stop = async (code) => {
    if (stopping) return;
    stopping = true;
    console.error('stopping the topology');
    await stopAll([...programs].reverse());
    process.exit(code);
  };
  process.once('SIGINT', () => void stop(0));
  process.once('SIGTERM', () => void stop(0));

  try {
    console.error('starting the IN-CSE, the MEF and the MAF');
    const inCse = startProgram(l, 'in-cse', dist('in-cse'), [], { M2MSEC_CONFIG: configs.inCse });
    const mef = startProgram(l, 'mef', dist('mef'), [], { M2MSEC_MEF_CONFIG: configs.mef });
    const maf = startProgram(l, 'maf', dist('maf'), [], { M2MSEC_MAF_CONFIG: configs.maf });
    programs.push(inCse, mef, maf);
    await Promise.all([
      until(inCse, 'IN-CSE listeners', async () => {
        const r = await fetch(l.url('http', l.ports.inHttp, '/cse-in'), {
          headers: { 'X-M2M-Origin': 'Cprobe', 'X-M2M-RI': 'probe', 'X-M2M-RVI': '3' },
          signal: AbortSignal.timeout(3000),
        });
        return r.status === 200 && (await accepts(l.host, l.ports.inCert)) && (await accepts(l.host, l.ports.inPsk));
      }),
      until(mef, '"MEF ready"', lineIn(mef, /"msg":"MEF ready"/)),
      until(maf, '"MAF ready"', lineIn(maf, /"msg":"MAF ready"/)),
    ]);
    await setUpResources(l);

    console.error('starting the MN-CSE');
    const mnCse = startProgram(l, 'mn-cse', dist('mn-cse'), [], { M2MSEC_CONFIG: configs.mnCse });
    programs.push(mnCse);
    await until(
      mnCse,
      'registration at the IN-CSE',
      async () => (await adminRequest(l, 'GET', '/cse-in/id-mn')).rsc === 2000,
    );

    console.error('starting the AE Cae1 (TLS-PSK)');
    const ae = startProgram(l, 'ae-psk', dist('ae'), ['run', '--config', configs.aePsk], {});
    programs.push(ae);
    await until(ae, 'a contentInstance in cse-in/data', lineIn(ae, /"event":"posted".*"rsc":2001/));

    for (const p of programs) {
      p.child.once('exit', (code, signal) => {
        if (stopping) return;
        console.error(`${p.name} exited (${code ?? signal}); its log ends:\n${tail(p)}`);
        void stop(1);
      });
    }
    const described = describe(l, configs);
    described.json.pids = Object.fromEntries(programs.map((p) => [p.name, p.child.pid]));
    writeFileSync(join(l.dir, 'topology.json'), `${JSON.stringify(described.json, null, 2)}\n`);
    process.stdout.write(described.text);
  } catch (e) {
    console.error(`the topology did not start: ${e.message}`);
    await stop(1);
  }
}

const rel = (p) => {
  const r = relative(process.cwd(), p);
  return r.startsWith('..') ? p : r;
};

function describe(l, configs) {
  const u = (s, k, path) => l.url(s, l.ports[k], path);
  const pki = (f) => rel(join(l.pki, f));
  const json = {
    inCse: {
      http: u('http', 'inHttp'),
      certificate: u('https', 'inCert'),
      psk: u('https', 'inPsk'),
      ops: u('http', 'inOps'),
    },
    mnCse: { http: u('http', 'mnHttp'), mcc: u('https', 'mnMcc'), ops: u('http', 'mnOps') },
    mef: { psk: u('https', 'mefPsk'), admin: u('http', 'mefAdmin'), ops: u('http', 'mefOps') },
    maf: { psk: u('https', 'mafPsk'), admin: u('http', 'mafAdmin'), ops: u('http', 'mafOps') },
    ae: { stem: 'Cae1', pskIdentity: KPSA_ID },
    files: {
      ca: join(l.pki, 'ca.pem'),
      adminCert: join(l.pki, 'admin.pem'),
      adminKey: join(l.pki, 'admin.key'),
      aeKpsa: join(l.pki, 'ae1.psk'),
      mefAdminToken: join(l.pki, 'mef-admin.token'),
      mafAdminToken: join(l.pki, 'maf-admin.token'),
      configs,
      logs: l.logs,
    },
  };
  const curlAdmin = `curl --cacert ${pki('ca.pem')} --cert ${pki('admin.pem')} --key ${pki('admin.key')} \\\n    --resolve id-in.m2msec.org:${l.ports.inCert}:127.0.0.1 -H 'X-M2M-Origin: CAdmin' -H 'X-M2M-RI: 1' -H 'X-M2M-RVI: 3'`;
  const text = `
m2msec local topology is up (secure profile; state in ${rel(l.dir)}; JSON logs in ${rel(l.logs)})

  IN-CSE  /id-in  ${json.inCse.http}/cse-in (plain: CSEBase RETRIEVE only)
                  ${json.inCse.certificate} (certificate SAEF)  ${json.inCse.psk} (TLS-PSK SAEF)
  MN-CSE  /id-mn  registered to the IN-CSE over a certificate association; Mcc ${json.mnCse.mcc}
  MEF             ${json.mef.psk} (RSPF, EST)  admin ${json.mef.admin}
  MAF             ${json.maf.psk} (MAF handshake)  admin ${json.maf.admin}
  AE      Cae1    over TLS-PSK (identity ${KPSA_ID}), posts to /id-in/cse-in/data every 5 s
  ops             ${json.inCse.ops}/metrics  ${json.mnCse.ops}/readyz  ${json.mef.ops}/metrics  ${json.maf.ops}/healthz

Credentials are files (0600, never printed): CA ${pki('ca.pem')}, operator ${pki('admin.pem')} + admin.key,
the AE's Kpsa ${pki('ae1.psk')}, MEF / MAF admin tokens ${pki('mef-admin.token')} / maf-admin.token.

Try next:
  # the latest reading, as the operator (administrator certificate)
  ${curlAdmin} \\
    https://id-in.m2msec.org:${l.ports.inCert}/cse-in/data/la
  # a second AE, Cae2, over a certificate association, reading what Cae1 posts
  node apps/ae/dist/main.js run --config ${rel(configs.aeCert)}
  # the MEF's admin API (the token from its file, never on the command line of a shared machine)
  curl -H "authorization: Bearer $(cat ${pki('mef-admin.token')})" ${json.mef.admin}/admin/enrolees
  curl -H "authorization: Bearer $(cat ${pki('maf-admin.token')})" ${json.maf.admin}/admin/openapi.json
  curl ${json.inCse.ops}/metrics | grep m2msec_requests_total

Ctrl-C stops everything.
`;
  return { json, text };
}

main().catch((e) => {
  console.error(`topology: ${e.message}`);
  process.exit(1);
});
