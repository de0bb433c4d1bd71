#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { MafClient } from '@m2msec/maf';
// Entity A of the MAF-based SAEF (TS-0003 8.2.2.3) as a command: MAF Client Registration, MAF Key
// Registration of Kc for the target CSE (SUID 32), then ONE oneM2M request to that CSE over TLS-PSK
// with psk_identity = hexBinary(KcID)@MAF-FQDN through @m2msec/saef's client SDK agent, no retry, so
// the outcome says whether A's first handshake succeeded. Prints one JSON line per step.
//   m2msec-maf-client connect --maf-url <https://..> --maf-fqdn <FQDN> --km-id <KmID> --admin-fqdn <FQDN>
//        --target <Absolute CSE-ID> --cse-url <https://..> --to <cse-base> --from <originator>
//        [--register-ae <App-ID>] [--lifetime-seconds <n>] [--wait-ms <n>] [--deregister-first true]
//   The request is CREATE <AE> under --to with --register-ae, else RETRIEVE of --to.
//   Km is read from stdin as hex. Exit 0: connected; 3: the CSE refused the handshake.
import { answerHelpAndVersion } from '@m2msec/node/cli';
import { createSaefAgent } from '@m2msec/saef';

// --help / --version answer before anything is read or opened (issue 19).
answerHelpAndVersion({
  name: 'm2msec-maf-client',
  packageJson: new URL('../package.json', import.meta.url),
  summary: 'Entity A of the MAF-based SAEF (TS-0003 8.2.2.3): key registration, then one request over TLS-PSK',
  usage: [
    'connect --maf-url <https://..> --maf-fqdn <FQDN> --km-id <KmID> --admin-fqdn <FQDN> --target <Absolute CSE-ID> --cse-url <https://..> --to <cse-base> --from <originator> [--register-ae <App-ID>] [--lifetime-seconds <n>] [--wait-ms <n>] [--deregister-first true]',
  ],
  details: 'Km is read from stdin as hex. Exit 0: connected; 3: the CSE refused the handshake.',
});

class UsageError extends Error {}

function options(argv: string[]): Map<string, string> {
  const m = new Map<string, string>();
  for (let i = 0; i < argv.length; i += 2) {
    const a = argv[i]!;
    if (!a.startsWith('--') || i + 1 >= argv.length) throw new UsageError(`unexpected argument '${a}'`);
    m.set(a.slice(2), argv[i + 1]!);
  }
  return m;
}

const print = (o: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(o)}\n`);

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command !== 'connect') throw new UsageError(`unknown command '${command ?? ''}' (connect)`);
  const o = options(rest);
  const need = (k: string) => {
    const v = o.get(k);
    if (!v) throw new UsageError(`--${k} is required`);
    return v;
  };
  const km = Buffer.from(readFileSync(0, 'utf8').trim(), 'hex');
  if (km.length < 16) throw new UsageError('Km (hex on stdin) must be at least 16 bytes');
  const mafFqdn = need('maf-fqdn');
  const maf = new MafClient({
    mafUrl: need('maf-url'),
    mafFqdn,
    credential: { kind: 'psk', identity: need('km-id'), key: km },
  });
  const adminFQDN = need('admin-fqdn');
  const lifetime = Number(o.get('lifetime-seconds') ?? 600);
  const reg = await maf.registerClient({ adminFQDN, expirationTime: Date.now() + 3_600_000 });
  print({ step: 'client-registered', mafClientRegID: reg.mafClientRegID, mafClientID: reg.mafClientID });
  const k = await maf.registerKey({
    adminFQDN,
    expirationTime: Date.now() + lifetime * 1000,
    suid: 32,
    targetIDs: [need('target')],
  });
  print({
    step: 'key-registered',
    keyIdentifier: k.keyIdentifier,
    expirationTime: k.expirationTime,
    notifiedTargets: k.notifiedTargets,
  });
  if (o.get('deregister-first') === 'true') {
    const d = await maf.deregisterKey(k.keyIdentifier);
    print({ step: 'key-deregistered', notifiedTargets: d.notifiedTargets });
  }
  const wait = Number(o.get('wait-ms') ?? 0);
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  const ck = k.connectionKey!;
  const agent = createSaefAgent({ kind: 'maf', keyIdentifier: ck.keyIdentifier, kc: ck.kc });
  const url = new URL(`/${need('to')}`, need('cse-url'));
  const api = o.get('register-ae');
  const payload = api ? JSON.stringify({ 'm2m:ae': { api, rr: false, srv: ['3'] } }) : undefined;
  const outcome = await new Promise<{ status: number; rsc: number; body: string } | { error: string }>((resolve) => {
    const req = request(url, {
      agent,
      method: payload ? 'POST' : 'GET',
      timeout: 15_000,
      headers: {
        'X-M2M-Origin': need('from'),
        'X-M2M-RI': `maf-a-${process.pid}`,
        'X-M2M-RVI': '3',
        Accept: 'application/json',
        ...(payload ? { 'Content-Type': 'application/json;ty=2', 'Content-Length': String(payload.length) } : {}),
      },
    });
    req.on('response', (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, rsc: Number(res.headers['x-m2m-rsc']), body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (e) => resolve({ error: (e as NodeJS.ErrnoException).code ?? e.message }));
    req.end(payload);
  });
  agent.destroy();
  ck.kc.fill(0);
  if ('error' in outcome) {
    print({ step: 'first-connection', ok: false, error: outcome.error });
    return 3;
  }
  print({
    step: 'first-connection',
    ok: true,
    status: outcome.status,
    rsc: outcome.rsc,
    body: outcome.body.slice(0, 2000),
  });
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`m2msec-maf-client: ${(e as Error).message}\n`);
    process.exit(e instanceof UsageError ? 2 : 1);
  },
);
