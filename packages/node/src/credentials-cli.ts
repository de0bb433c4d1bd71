// The credentials commands of a CSE node (TS-0003 6.2.5 sensitive data, 8.2.1 Credential-ID bindings), shared by
// the IN-CSE and the MN-CSE (each app's `credentials.js`), parsed by the one command-line parser (cli.ts). They
// open the node's data directory and store as the CSE does: run them while it is stopped (the SE keystore file
// has one writer at a time). Key bytes (hex) come from a file readable by its owner only or from stdin ('-'),
// never from argv (visible in ps and shell history), and are never printed.
import { join } from 'node:path';
import { parseOriginator } from '@m2msec/protocol';
import { keyInArgvRefused, readHexKeySource, SecretAtRestError } from '@m2msec/secure-environment';
import { DERIVED_KEY_TA_OWNER, PSK_REVOCATIONS } from '@m2msec/security-association';
import { CredentialStore } from '@m2msec/sensitive-data';
import { openStore } from '@m2msec/store';
import { administratorsOf } from './administration.js';
import { type Program, parseCommandLine, UsageError } from './cli.js';
import { ConfigError, type InCseConfig } from './config.js';
import { isBtidOf, isGbaCredentialValueOf } from './gba-target.js';
import { openInCseBindings, openInCseSecureEnvironment } from './security.js';

const COMMANDS = 'add-psk, add-dk-ta, add-km, bind, list, delete';

/** The credentials program of a node: its name, usage, options; `role` names the CSE in the help text. */
export function credentialsProgram(name: string, packageJson: URL, role: 'IN-CSE' | 'MN-CSE'): Program {
  return {
    name,
    packageJson,
    summary: `the ${role}'s credentials: Kpsa, DerivedKey trust anchors, Km and Credential-ID bindings (run it while the ${role} is stopped)`,
    usage: [
      'add-psk --id <KpsaID> --key-file <file|-> [--bind <AE-ID|CSE-ID>]... [--expires <ISO time>]',
      'add-dk-ta --ta-id <TA_id> --key-file <file|->',
      'add-km --id <KmID> --key-file <file|->',
      'bind --credential <Credential-ID> (--ae <AE-ID>... | --cse <CSE-ID>)',
      'list',
      'delete --id <credential ID>',
    ],
    options: {
      id: { type: 'string', value: '<id>', description: 'KpsaID, KmID or the credential to delete' },
      'key-file': {
        type: 'string',
        value: '<file|->',
        description: 'hex key bytes from a file of mode 0600, or from stdin with -',
      },
      bind: { type: 'string', multiple: true, value: '<AE-ID|CSE-ID>', description: 'add-psk: bind 12-<KpsaID> to it' },
      expires: { type: 'string', value: '<ISO time>', description: 'add-psk: when the Kpsa expires' },
      'ta-id': { type: 'string', value: '<TA_id>', description: 'add-dk-ta: the DerivedKey trust anchor' },
      credential: { type: 'string', value: '<Credential-ID>', description: 'bind: the Credential-ID (12-<KpsaID>)' },
      ae: { type: 'string', multiple: true, value: '<AE-ID>', description: 'bind: an AE-ID it may act as' },
      cse: { type: 'string', multiple: true, value: '<CSE-ID>', description: 'bind: the one CSE-ID it may act as' },
    },
    details: [
      `Configuration: the ${role}'s (M2MSEC_CONFIG, M2MSEC_DATA_DIR, the KEK from security.keyFile or M2MSEC_KEK).`,
      `While the ${role} runs, revoke a Kpsa with DELETE /.well-known/m2msec/credentials/psk/<id> instead`,
      '(it also tears down the live sessions). See docs/administration.md and docs/hardening.md.',
    ].join('\n'),
  };
}

type Values = ReturnType<typeof parseCommandLine>['values'];

/** The value of a single-valued option given exactly once (the parser would keep the last of several). */
function one(v: Values, name: string, argv: readonly string[]): string {
  const x = v[name];
  const times = argv.filter((a) => a === `--${name}` || a.startsWith(`--${name}=`)).length;
  if (typeof x !== 'string' || times !== 1) throw new UsageError(`--${name} is required once`);
  return x;
}

function many(v: Values, name: string): string[] {
  const x = v[name];
  return Array.isArray(x) ? (x as string[]) : typeof x === 'string' ? [x] : [];
}

export interface CredentialsContext {
  /** The node's configuration: dataDir, KEK, store, CSE-ID, administrators, GBA domain. */
  config: InCseConfig;
  /** Owner recorded with the keys this CLI adds (e.g. 'in-cse-admin'). */
  owner: string;
  /** Where command output goes (process.stdout). */
  out: (line: string) => void;
}

/** Runs one credentials command line; UsageError for a command line it cannot run. */
export async function runCredentialsCommand(
  program: Program,
  argv: readonly string[],
  loadConfig: () => InCseConfig,
  owner: string,
  out: (line: string) => void = (l) => process.stdout.write(`${l}\n`),
): Promise<void> {
  // A key in argv is refused by name, saying what to use instead (docs/hardening.md), before anything opens.
  if (argv.some((a) => a === '--key-hex' || a.startsWith('--key-hex=')))
    throw keyInArgvRefused('--key-hex', '--key-file');
  const { values, positionals } = parseCommandLine(program, argv);
  const need = (name: string) => one(values, name, argv);
  // The key of an add-* command: --key-file <file|->.
  const keyBytes = () => readHexKeySource(need('key-file'), '--key-file');
  const [command, ...extra] = positionals;
  if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}' (see ${program.name} --help)`);
  if (command === undefined || !COMMANDS.split(', ').includes(command)) {
    throw new UsageError(`unknown command '${command ?? ''}' (${COMMANDS})`);
  }
  const config = loadConfig();
  // The in-memory store lives inside the running CSE only: bindings written here would be lost at once.
  if (config.store.kind === 'memory') {
    throw new UsageError("store kind 'memory' keeps no state outside the running CSE: use 'sqlite' or 'postgres'");
  }
  const reserved = administratorsOf(config).reserved;
  const se = await openInCseSecureEnvironment(config);
  const credentials = await CredentialStore.open({ se });
  const store = await openStore(
    config.store.kind === 'sqlite' ? { kind: 'sqlite', file: join(config.dataDir, 'resources.db') } : config.store,
  ).catch(async (e) => {
    credentials.close();
    await se.close();
    throw e;
  });
  try {
    const bindings = await openInCseBindings(config, store);
    const bind = async (credentialId: string, ids: string[]) => {
      // Administrators are principals in security.administrators, never an AE binding (docs/administration.md).
      const taken = ids.find((i) => reserved.isReserved(i));
      if (taken) {
        throw new UsageError(
          `'${taken}' is reserved (an administrator's originator or a CSE-ID); configure administrators in security.administrators`,
        );
      }
      const cse = ids.find((i) => parseOriginator(i).kind === 'cse');
      if (cse && ids.length > 1) throw new UsageError('a credential binds to one CSE-ID or to AE-IDs, not both');
      await bindings.set(credentialId, cse ? { kind: 'cse', cseId: cse } : { kind: 'ae', aeIds: ids });
    };
    switch (command) {
      case 'add-psk': {
        const id = need('id');
        // A B-TID of the configured BSF is a GBA identity (Ks_NAF over the Zn), never an admin-set KpsaID.
        const gba = config.security.gba;
        if (gba && (isBtidOf(id, gba.bsfDomain) || isGbaCredentialValueOf(id, gba.bsfDomain))) {
          throw new UsageError(`--id has the form of a B-TID of ${gba.bsfDomain}: reserved for GBA`);
        }
        // Refuse a reserved --bind before anything is stored (no partial state).
        const bindTo = many(values, 'bind');
        const taken = bindTo.find((i) => reserved.isReserved(i));
        if (taken)
          throw new UsageError(`--bind '${taken}' is reserved; configure administrators in security.administrators`);
        const expires = values.expires as string | undefined;
        const expiresAt = expires === undefined ? undefined : Date.parse(expires);
        if (expiresAt !== undefined && Number.isNaN(expiresAt)) throw new UsageError('--expires is not a time');
        await credentials.addKey(
          'Kpsa',
          { credentialId: id, owner, suid: 12, ...(expiresAt ? { expiresAt } : {}) },
          keyBytes(),
        );
        // Provisioned again: an earlier revocation of this ID no longer applies (docs/scale-out.md).
        await store.collection(PSK_REVOCATIONS).delete(id);
        if (bindTo.length > 0) await bind(`12-${id}`, bindTo);
        out(`added Kpsa ${id} (Credential-ID 12-${id})`);
        break;
      }
      case 'add-dk-ta': {
        const ta = need('ta-id');
        if (!/^[A-Za-z0-9_-]{1,64}$/.test(ta)) throw new UsageError('--ta-id must be 1-64 of [A-Za-z0-9_-]');
        await credentials.addKey('Kpsa', { credentialId: `DKTA.${ta}`, owner: DERIVED_KEY_TA_OWNER }, keyBytes());
        out(`added DerivedKey trust anchor ${ta}`);
        break;
      }
      case 'add-km': {
        const id = need('id');
        await credentials.addKey('Km', { credentialId: id, owner, suid: 11 }, keyBytes());
        out(`added Km ${id}`);
        break;
      }
      case 'bind': {
        const ids = [...many(values, 'ae'), ...many(values, 'cse')];
        if (ids.length === 0) throw new UsageError('bind needs --ae or --cse');
        await bind(need('credential'), ids);
        out('bound');
        break;
      }
      case 'list':
        for (const r of credentials.list()) {
          const expiry = r.expiresAt ? ` expires ${new Date(r.expiresAt).toISOString()}` : '';
          const b = bindings.getSync(`12-${r.credentialId}`);
          out(`${r.kind}\t${r.credentialId}${expiry}${b ? `\tbound ${JSON.stringify(b)}` : ''}`);
        }
        break;
      case 'delete': {
        const id = need('id');
        await credentials.delete(id);
        // The binding goes with the key: a credential re-added under this ID starts unbound.
        await bindings.delete(`12-${id}`).catch(() => false);
        out('deleted');
        break;
      }
      default:
        throw new UsageError(`unknown command '${command}' (${COMMANDS})`);
    }
  } finally {
    credentials.close();
    await se.close();
    await store.close();
  }
}

/**
 * The process entry of a credentials program: runs the command line, exits 0; on an error prints
 * `credentials: <message>` (no stack) and exits 2 for a usage or key-file problem, 1 otherwise.
 */
export function credentialsMain(
  program: Program,
  argv: readonly string[],
  loadConfig: () => InCseConfig,
  owner: string,
): void {
  runCredentialsCommand(program, argv, loadConfig, owner).catch((e) => {
    const known = e instanceof UsageError || e instanceof ConfigError || e instanceof SecretAtRestError;
    process.stderr.write(`credentials: ${known ? e.message : `failed: ${(e as Error).message}`}\n`);
    process.exit(e instanceof UsageError || e instanceof SecretAtRestError ? 2 : 1);
  });
}
