#!/usr/bin/env node
// Operator CLI for a running MAF's admin API (M2MSEC_MAF_ADMIN_URL, M2MSEC_MAF_ADMIN_TOKEN). Key bytes (hex)
// come from a file readable by its owner only or from stdin ('-'), never from argv, and are never printed.
//   m2msec-maf-admin add-km --km-id <KmID> --client-id <Absolute ID> --key-file <file|-> [--expires <ISO time>]
//   m2msec-maf-admin add-cert-client --san <URI/DNS SAN value> --client-id <Absolute ID>
//   m2msec-maf-admin delete-client (--km-id <KmID> | --san <SAN>)
//   m2msec-maf-admin list-clients | list-registrations | list-keys
//   m2msec-maf-admin deregister-key --rid <RelativeKeyID>
//   m2msec-maf-admin put-trust-anchor --ta-id <TA_id> [--key-file <file|->] --client <Absolute ID>=<C_id>...
//                                     [--administrator <Absolute ID>]... [--resource-server <URL>]...
import { answerHelpAndVersion } from '@m2msec/node/cli';
import { keyInArgvRefused, readHexKeySource, SecretAtRestError } from '@m2msec/secure-environment';

// --help / --version answer before anything is read or opened (issue 19).
answerHelpAndVersion({
  name: 'm2msec-maf-admin',
  packageJson: new URL('../package.json', import.meta.url),
  summary: "operator CLI for a running MAF's admin API (M2MSEC_MAF_ADMIN_URL, M2MSEC_MAF_ADMIN_TOKEN)",
  usage: [
    'add-km --km-id <KmID> --client-id <Absolute ID> --key-file <file|-> [--expires <ISO time>]',
    'add-cert-client --san <SAN value> --client-id <Absolute ID>',
    'delete-client (--km-id <KmID> | --san <SAN>)',
    'list-clients | list-registrations | list-keys',
    'deregister-key --rid <RelativeKeyID>',
    'put-trust-anchor --ta-id <TA_id> [--key-file <file|->] --client <Absolute ID>=<C_id>... [--administrator <ID>]... [--resource-server <URL>]...',
  ],
  details: 'Key bytes (hex) come from a file readable by its owner only or from stdin (-), never from argv.',
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

/** A hex key from --key-file <file|-> (file mode checked); a key in argv (--key-hex) is refused. */
const keyHex = (o: Map<string, string[]>): string => {
  if (o.has('key-hex')) throw keyInArgvRefused('--key-hex', '--key-file');
  const key = readHexKeySource(one(o, 'key-file'), '--key-file');
  try {
    return key.toString('hex');
  } finally {
    key.fill(0);
  }
};

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  const o = options(rest);
  const base = process.env.M2MSEC_MAF_ADMIN_URL ?? 'http://127.0.0.1:8082';
  const token = process.env.M2MSEC_MAF_ADMIN_TOKEN;
  if (!token) throw new UsageError('set M2MSEC_MAF_ADMIN_TOKEN');
  const call = async (method: string, path: string, body?: unknown) => {
    const r = await fetch(base + path, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await r.text();
    if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${text}`);
    process.stdout.write(`${text}\n`);
  };
  switch (command) {
    case 'add-km': {
      const expires = o.get('expires')?.[0];
      await call('PUT', `/admin/clients/psk/${encodeURIComponent(one(o, 'km-id'))}`, {
        km: keyHex(o),
        clientId: one(o, 'client-id'),
        ...(expires ? { expirationTime: expires } : {}),
      });
      return;
    }
    case 'add-cert-client':
      await call('PUT', `/admin/clients/certificate/${encodeURIComponent(one(o, 'san'))}`, {
        clientId: one(o, 'client-id'),
      });
      return;
    case 'delete-client': {
      const km = o.get('km-id')?.[0];
      await call(
        'DELETE',
        km
          ? `/admin/clients/psk/${encodeURIComponent(km)}`
          : `/admin/clients/certificate/${encodeURIComponent(one(o, 'san'))}`,
      );
      return;
    }
    case 'list-clients':
      return call('GET', '/admin/clients');
    case 'list-registrations':
      return call('GET', '/admin/clientRegs');
    case 'list-keys':
      return call('GET', '/admin/keyRegs');
    case 'deregister-key':
      return call('DELETE', `/admin/keyRegs/${encodeURIComponent(one(o, 'rid'))}`);
    case 'put-trust-anchor': {
      const clients: Record<string, string> = {};
      for (const c of o.get('client') ?? []) {
        const eq = c.lastIndexOf('=');
        if (eq < 1) throw new UsageError('--client takes <Absolute ID>=<C_id>');
        clients[c.slice(0, eq)] = c.slice(eq + 1);
      }
      await call('PUT', `/admin/trust-anchors/${encodeURIComponent(one(o, 'ta-id'))}`, {
        ...(o.has('key-file') || o.has('key-hex') ? { key: keyHex(o) } : {}),
        clients,
        administrators: o.get('administrator') ?? [],
        resourceServers: o.get('resource-server') ?? [],
      });
      return;
    }
    default:
      throw new UsageError(
        `unknown command '${command ?? ''}' (add-km, add-cert-client, delete-client, list-clients, list-registrations, list-keys, deregister-key, put-trust-anchor)`,
      );
  }
}

main(process.argv.slice(2)).catch((e) => {
  process.stderr.write(`m2msec-maf-admin: ${(e as Error).message}\n`);
  process.exit(e instanceof UsageError || e instanceof SecretAtRestError ? 2 : 1);
});
