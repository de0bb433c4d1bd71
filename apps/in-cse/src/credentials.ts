// Admin CLI for the IN-CSE's credentials (TS-0003 6.2.5 sensitive data, 8.2.1 Credential-ID bindings).
// It opens the same data directory and store as the IN-CSE: run it while the IN-CSE is stopped (the
// SE keystore file has one writer at a time). Key bytes (hex) are read from a file readable by its owner
// only or from stdin ('-'), never from argv (visible in ps and shell history), and never printed.
//   node dist/credentials.js add-psk --id <KpsaID> --key-file <file|-> [--bind <AE-ID|CSE-ID>]... [--expires <ISO time>]
//   node dist/credentials.js add-dk-ta --ta-id <TA_id> --key-file <file|->
//   node dist/credentials.js add-km --id <KmID> --key-file <file|->   (this CSE's Km at its MAF, security.maf)
//   node dist/credentials.js bind --credential <Credential-ID> (--ae <AE-ID>... | --cse <CSE-ID>)
//   node dist/credentials.js list
//   node dist/credentials.js delete --id <credential ID>   (also removes the Credential-ID binding 12-<id>)
// While the IN-CSE runs, revoke a Kpsa with DELETE /.well-known/m2msec/credentials/psk/<id> instead
// (it also tears down the live sessions).
import { join } from 'node:path';
import {
  administratorsOf,
  ConfigError,
  isBtidOf,
  isGbaCredentialValueOf,
  loadConfig,
  openInCseBindings,
  openInCseSecureEnvironment,
} from '@m2msec/node';
import { parseOriginator } from '@m2msec/protocol';
import { keyInArgvRefused, readHexKeySource, SecretAtRestError } from '@m2msec/secure-environment';
import { DERIVED_KEY_TA_OWNER, PSK_REVOCATIONS } from '@m2msec/security-association';
import { CredentialStore } from '@m2msec/sensitive-data';
import { openStore } from '@m2msec/store';

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

/** The key of an add-* command: --key-file <file|->; a key in argv (--key-hex) is refused, saying what to use. */
function keyBytes(o: Map<string, string[]>): Buffer {
  if (o.has('key-hex')) throw keyInArgvRefused('--key-hex', '--key-file');
  return readHexKeySource(one(o, 'key-file'), '--key-file');
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  const o = options(rest);
  const config = loadConfig();
  // The in-memory store lives inside the running IN-CSE only: bindings written here would be lost at once.
  if (config.store.kind === 'memory') {
    throw new UsageError("store kind 'memory' keeps no state outside the running IN-CSE: use 'sqlite' or 'postgres'");
  }
  const se = await openInCseSecureEnvironment(config);
  const credentials = await CredentialStore.open({ se });
  const store = await openStore(
    config.store.kind === 'sqlite' ? { kind: 'sqlite', file: join(config.dataDir, 'resources.db') } : config.store,
  );
  try {
    const bindings = await openInCseBindings(config, store);
    const reserved = administratorsOf(config).reserved;
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
        const id = one(o, 'id');
        // A B-TID of the configured BSF is a GBA identity (Ks_NAF over the Zn), never an admin-set KpsaID.
        const gba = config.security.gba;
        if (gba && (isBtidOf(id, gba.bsfDomain) || isGbaCredentialValueOf(id, gba.bsfDomain))) {
          throw new UsageError(`--id has the form of a B-TID of ${gba.bsfDomain}: reserved for GBA`);
        }
        // Refuse a reserved --bind before anything is stored (no partial state).
        const taken = (o.get('bind') ?? []).find((i) => reserved.isReserved(i));
        if (taken)
          throw new UsageError(`--bind '${taken}' is reserved; configure administrators in security.administrators`);
        const expires = o.get('expires')?.[0];
        const expiresAt = expires === undefined ? undefined : Date.parse(expires);
        if (expiresAt !== undefined && Number.isNaN(expiresAt)) throw new UsageError('--expires is not a time');
        await credentials.addKey(
          'Kpsa',
          { credentialId: id, owner: 'in-cse-admin', suid: 12, ...(expiresAt ? { expiresAt } : {}) },
          keyBytes(o),
        );
        // Provisioned again: an earlier revocation of this ID no longer applies (docs/scale-out.md).
        await store.collection(PSK_REVOCATIONS).delete(id);
        if (o.get('bind')) await bind(`12-${id}`, o.get('bind')!);
        process.stdout.write(`added Kpsa ${id} (Credential-ID 12-${id})\n`);
        break;
      }
      case 'add-dk-ta': {
        const ta = one(o, 'ta-id');
        if (!/^[A-Za-z0-9_-]{1,64}$/.test(ta)) throw new UsageError('--ta-id must be 1-64 of [A-Za-z0-9_-]');
        await credentials.addKey('Kpsa', { credentialId: `DKTA.${ta}`, owner: DERIVED_KEY_TA_OWNER }, keyBytes(o));
        process.stdout.write(`added DerivedKey trust anchor ${ta}\n`);
        break;
      }
      case 'add-km': {
        const id = one(o, 'id');
        await credentials.addKey('Km', { credentialId: id, owner: 'in-cse-admin', suid: 11 }, keyBytes(o));
        process.stdout.write(`added Km ${id}\n`);
        break;
      }
      case 'bind': {
        const ids = [...(o.get('ae') ?? []), ...(o.get('cse') ?? [])];
        if (ids.length === 0) throw new UsageError('bind needs --ae or --cse');
        await bind(one(o, 'credential'), ids);
        process.stdout.write('bound\n');
        break;
      }
      case 'list':
        for (const r of credentials.list()) {
          const expiry = r.expiresAt ? ` expires ${new Date(r.expiresAt).toISOString()}` : '';
          const b = bindings.getSync(`12-${r.credentialId}`);
          process.stdout.write(`${r.kind}\t${r.credentialId}${expiry}${b ? `\tbound ${JSON.stringify(b)}` : ''}\n`);
        }
        break;
      case 'delete': {
        const id = one(o, 'id');
        await credentials.delete(id);
        // The binding goes with the key: a credential re-added under this ID starts unbound.
        await bindings.delete(`12-${id}`).catch(() => false);
        process.stdout.write('deleted\n');
        break;
      }
      default:
        throw new UsageError(`unknown command '${command ?? ''}' (add-psk, add-dk-ta, add-km, bind, list, delete)`);
    }
  } finally {
    credentials.close();
    await se.close();
    await store.close();
  }
}

main(process.argv.slice(2)).catch((e) => {
  const message =
    e instanceof UsageError || e instanceof ConfigError || e instanceof SecretAtRestError
      ? e.message
      : `failed: ${(e as Error).message}`;
  process.stderr.write(`credentials: ${message}\n`);
  process.exit(e instanceof UsageError || e instanceof SecretAtRestError ? 2 : 1);
});
