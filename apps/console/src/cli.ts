#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
// m2msec-console: accounts, and every console action for scripts (docs in the app README). Reads the
// console configuration (M2MSEC_CONSOLE_CONFIG); passwords and JSON documents come from stdin, never
// argv. Every action is recorded in the console's audit log as account cli:<user>.
import { answerHelpAndVersion } from '@m2msec/node/cli';
import { AccountStore } from './accounts.js';
import * as actions from './actions.js';
import { ConsoleAuditLog } from './audit.js';
import { parseProvisioningCsv, provision } from './bulk.js';
import { loadConfig } from './config.js';
import { InCseClient } from './in-cse-client.js';
import { mafClients, mafDeregisterKey, mafKeyRegistrations, mafRegistrations, mafTrustAnchors } from './maf-client.js';
import {
  AdminApiClient,
  MefClient,
  mefCertificates,
  mefEnrolees,
  mefEnrolments,
  mefRevokeCertificate,
  mefRevokeEnrolment,
} from './mef-client.js';
import { pushRemoteConfig, remoteConfig } from './remote-config.js';
import { rotateTrustAnchor } from './ta-rotation.js';
import { newTotpSecret, otpauthUri } from './totp.js';

// --help / --version answer before anything is read or opened (issue 19).
answerHelpAndVersion({
  name: 'm2msec-console',
  packageJson: new URL('../package.json', import.meta.url),
  summary: 'accounts and every console action for scripts (M2MSEC_CONSOLE_CONFIG)',
  usage: ['<command> [options]'],
  details: 'Passwords and JSON documents come from stdin, never argv. Commands and options: apps/console/README.md.',
});

const USAGE = `usage: m2msec-console <command> [options] [--json]
  user add --name N [--totp]        password on stdin (one line); --totp prints the otpauth URI
  user list | user remove --name N
  nodes                             AEs / remote CSEs with their association, live sessions
  sessions                          live security associations at the IN-CSE
  acps                              access-control policies
  acp-update --uri U                pv JSON on stdin
  explain --from F --op OP --to T   may F do OP on T, by which rule
  credentials                       PSK credentials (Kpsa) with bound IDs
  remote-config                     security <mgmtObj>s of every <node> with the status devices reported
  remote-config-push --node N [--ta-fingerprint F --ta-uri U] [--enrol-at MEFCFG]
                                    push a trustAnchorCred and / or a myCertFileCred (enrol at that MEF)
  rotate-trust-anchor --fingerprint F --uri U [--nodes N1,N2] [--wait S]
                                    push a trustAnchorCred to every <node> (or those named); progress on
                                    stderr, the per-node report (applied / failed / pending / refused) on
                                    stdout after following the devices' reports for S seconds
  revoke-psk --key-id K             revoke a Kpsa and end its live sessions
  cse-audit [--kind K] [--since T] [--limit N]
  audit [--account A] [--action X] [--outcome O] [--since T]   the console's own audit log
  mef-enrolees | mef-enrolments | mef-certificates   the MEF's admin API (certificates with expiry)
  mef-revoke-certificate --serial S [--reason R] | mef-revoke-enrolment --ke-id K
  maf-clients | maf-registrations | maf-keys | maf-trust-anchors   the MAF's admin API
  maf-deregister-key --rid R        stop the MAF distributing a key
  bulk-provision                    CSV on stdin (kpmId,kpm,enroleeId,targetId,suid,enrolmentExpirySeconds);
                                    progress on stderr, the result report on stdout`;

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    name: { type: 'string' },
    totp: { type: 'boolean' },
    uri: { type: 'string' },
    from: { type: 'string' },
    op: { type: 'string' },
    to: { type: 'string' },
    'key-id': { type: 'string' },
    'ke-id': { type: 'string' },
    serial: { type: 'string' },
    rid: { type: 'string' },
    reason: { type: 'string' },
    kind: { type: 'string' },
    since: { type: 'string' },
    limit: { type: 'string' },
    account: { type: 'string' },
    action: { type: 'string' },
    outcome: { type: 'string' },
    node: { type: 'string' },
    'ta-fingerprint': { type: 'string' },
    'ta-uri': { type: 'string' },
    'enrol-at': { type: 'string' },
    fingerprint: { type: 'string' },
    nodes: { type: 'string' },
    wait: { type: 'string' },
    json: { type: 'boolean' },
    help: { type: 'boolean' },
  },
});

const out = (v: unknown): 0 => {
  process.stdout.write(`${JSON.stringify(v, null, values.json ? undefined : 2)}\n`);
  return 0;
};
const stdin = () => readFileSync(0, 'utf8');

async function main(): Promise<number> {
  const [cmd, sub] = positionals;
  if (!cmd || values.help) {
    process.stdout.write(`${USAGE}\n`);
    return cmd ? 0 : 2;
  }
  const config = loadConfig();
  const audit = new ConsoleAuditLog(config.dataDir);
  const account = `cli:${userInfo().username}`;
  const record = (action: string, target: string | undefined, outcome: 'ok' | 'failed', detail?: string) =>
    audit.record({ account, address: 'local', action, target, outcome, detail });
  if (cmd === 'user') {
    const accounts = new AccountStore(config.dataDir);
    if (sub === 'list')
      return out(accounts.list().map((a) => ({ name: a.name, totp: !!a.totpSecret, createdAt: a.createdAt })));
    if (!values.name) throw new actions.ActionError('--name is required', 2);
    if (sub === 'add') {
      const password = stdin().replace(/\r?\n$/, '');
      const secret = values.totp ? newTotpSecret() : undefined;
      await accounts.add(values.name, password, secret);
      record('user-add', values.name, 'ok');
      return out({
        name: values.name,
        ...(secret ? { totpSecret: secret, otpauth: otpauthUri(values.name, secret) } : {}),
      });
    }
    if (sub === 'remove') {
      const removed = accounts.remove(values.name);
      record('user-remove', values.name, removed ? 'ok' : 'failed');
      out({ name: values.name, removed });
      return removed ? 0 : 1;
    }
    throw new actions.ActionError(`unknown user command ${sub}`, 2);
  }
  if (cmd === 'audit') {
    const limit = values.limit ? Number(values.limit) : undefined;
    return out(
      audit.query({
        account: values.account,
        action: values.action,
        outcome: values.outcome,
        since: values.since,
        limit,
      }),
    );
  }
  if (cmd.startsWith('maf-')) {
    if (!config.maf) throw new actions.ActionError('no MAF is configured (maf in the console configuration)');
    const maf = new AdminApiClient(config.maf, 'MAF');
    const mafRun: Record<string, () => Promise<unknown>> = {
      'maf-clients': () => mafClients(maf),
      'maf-registrations': () => mafRegistrations(maf),
      'maf-keys': () => mafKeyRegistrations(maf),
      'maf-trust-anchors': () => mafTrustAnchors(maf),
      'maf-deregister-key': () => mafDeregisterKey(maf, values.rid ?? ''),
    };
    const f = mafRun[cmd];
    if (!f) throw new actions.ActionError(`unknown command ${cmd}\n${USAGE}`, 2);
    try {
      out(await f());
      record(cmd, values.rid, 'ok');
      return 0;
    } catch (e) {
      record(cmd, values.rid, 'failed', (e as Error).message);
      throw e;
    }
  }
  if (cmd.startsWith('mef-') || cmd === 'bulk-provision') {
    if (!config.mef) throw new actions.ActionError('no MEF is configured (mef in the console configuration)');
    const mef = new MefClient(config.mef);
    const mefRun: Record<string, () => Promise<unknown>> = {
      'mef-enrolees': () => mefEnrolees(mef),
      'mef-enrolments': () => mefEnrolments(mef),
      'mef-certificates': () => mefCertificates(mef),
      'mef-revoke-certificate': () => mefRevokeCertificate(mef, values.serial ?? '', values.reason),
      'mef-revoke-enrolment': () => mefRevokeEnrolment(mef, values['ke-id'] ?? ''),
      'bulk-provision': () =>
        provision(mef, parseProvisioningCsv(stdin()), (r) => {
          if (!r.finished) process.stderr.write(`${r.done}/${r.total} provisioned ${r.succeeded} failed ${r.failed}\n`);
        }),
    };
    const f = mefRun[cmd];
    if (!f) throw new actions.ActionError(`unknown command ${cmd}\n${USAGE}`, 2);
    const target = values.serial ?? values['ke-id'];
    try {
      const result = await f();
      const failed = cmd === 'bulk-provision' && (result as { failed: number }).failed > 0;
      record(cmd, target, failed ? 'failed' : 'ok');
      out(result);
      return failed ? 1 : 0;
    } catch (e) {
      record(cmd, target, 'failed', (e as Error).message);
      throw e;
    }
  }
  const cse = new InCseClient(config.inCse);
  try {
    const run: Record<string, () => Promise<unknown>> = {
      nodes: () => actions.nodes(cse),
      sessions: () => actions.sessions(cse),
      acps: () => actions.acps(cse),
      'acp-update': () => actions.updateAcp(cse, values.uri ?? '', JSON.parse(stdin())),
      explain: () => actions.explain(cse, values.from ?? '', values.op ?? '', values.to ?? ''),
      credentials: () => actions.pskCredentials(cse),
      'remote-config': () => remoteConfig(cse),
      'remote-config-push': () =>
        pushRemoteConfig(cse, {
          node: values.node ?? '',
          ...(values['ta-fingerprint'] || values['ta-uri']
            ? { trustAnchor: { fingerprint: values['ta-fingerprint'] ?? '', uri: values['ta-uri'] ?? '' } }
            : {}),
          ...(values['enrol-at'] ? { enrolAt: values['enrol-at'] } : {}),
        }),
      'rotate-trust-anchor': () =>
        rotateTrustAnchor(
          cse,
          {
            fingerprint: values.fingerprint ?? '',
            uri: values.uri ?? '',
            ...(values.nodes ? { nodes: values.nodes.split(',').map((n) => n.trim()) } : {}),
            waitSeconds: values.wait ? Number(values.wait) : 0,
          },
          (r) =>
            process.stderr.write(
              `${r.pushed}/${r.total} pushed: applied ${r.applied} failed ${r.failed} pending ${r.pending} refused ${r.refused}\n`,
            ),
        ),
      'revoke-psk': () => actions.revokePsk(cse, values['key-id'] ?? ''),
      'cse-audit': () =>
        actions.cseAudit(cse, {
          kind: values.kind,
          since: values.since,
          limit: values.limit ? Number(values.limit) : undefined,
        }),
    };
    const f = run[cmd];
    if (!f) throw new actions.ActionError(`unknown command ${cmd}\n${USAGE}`, 2);
    const target = values.uri ?? values['key-id'] ?? values.to ?? values.node;
    try {
      const result = await f();
      // A rotation that did not reach every node is reported, and the exit code says so.
      const incomplete =
        cmd === 'rotate-trust-anchor' &&
        (result as { applied: number; total: number }).applied < (result as { total: number }).total;
      out(result);
      record(cmd, target, incomplete ? 'failed' : 'ok');
      return incomplete ? 1 : 0;
    } catch (e) {
      record(cmd, target, 'failed', (e as Error).message);
      throw e;
    }
  } finally {
    cse.close();
  }
}

main().then(
  (code) => process.exit(code),
  (e) => {
    const message =
      e instanceof actions.ActionError || e instanceof SyntaxError || e instanceof Error ? e.message : 'failed';
    process.stderr.write(`m2msec-console: ${message}\n`);
    process.exit(e instanceof actions.ActionError && e.status === 2 ? 2 : 1);
  },
);
