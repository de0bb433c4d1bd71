// Writes a mosquitto 2.0 configuration for the oneM2M MQTT binding (TS-0010 v3.1.0 clause 7) from the
// templates beside this file: mosquitto.conf, the topic ACL and the PSK file. Node built-ins only, so
// tests import it and operators run it with `npx tsx infra/mosquitto/write-config.ts <options.json>`.
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** A CSE's MQTT client: receives requests and first registrations addressed to its CSE-ID. */
export interface MosquittoCse {
  /** The username the broker authenticates it as (certificate CN or PSK identity), e.g. 'id-in'. */
  username: string;
  /** SP-relative CSE-ID, e.g. '/id-in'. Topic form: without the leading '/'. */
  cseId: string;
}

/**
 * A client authenticated under one name (typically a Credential-ID from TLS-PSK) that the service
 * provider allows to act as further oneM2M IDs, e.g. the AE-ID it registered with (TS-0010 7.4: the
 * broker must know the IDs of registered AEs). IDs in topic form: 'Cdev1', 'id-mn', 'id-in:Cdev1'.
 */
export interface MosquittoClientIds {
  username: string;
  ids: string[];
}

export interface MosquittoConfigOptions {
  /** Directory the files are written to (created); also the persistence location. */
  dir: string;
  /** Address the listeners bind to; default 127.0.0.1. */
  bindAddress?: string;
  /** Certificate listener: port and PEM files (CA that issues client certificates, server cert and key). */
  tls?: { port: number; caFile: string; certFile: string; keyFile: string };
  /** TLS-PSK listener: port, hint and identities with their keys (hex). */
  psk?: { port: number; hint?: string; keys: Array<{ identity: string; keyHex: string }>; ciphers?: string };
  cses?: MosquittoCse[];
  clients?: MosquittoClientIds[];
  /** max_packet_size in bytes; default 4 MiB. */
  maxPacketBytes?: number;
  /** max_queued_messages per client session; default 1000. */
  maxQueuedMessages?: number;
  /** persistent_client_expiration (mosquitto duration, e.g. '14d'); default '14d'. */
  sessionExpiry?: string;
  /** Keep sessions across broker restarts (mosquitto.db in dir); default false. */
  persistence?: boolean;
  /** Log destination lines; default ['stderr']. */
  logDest?: string[];
  /** When the broker is started as root: the user it drops to (mosquitto's default is 'mosquitto'). */
  runAsUser?: string;
}

export interface MosquittoConfigFiles {
  confFile: string;
  aclFile: string;
  pskFile?: string;
}

/** TLS 1.2 PSK suites (TS-0003 10.2.2 lists the PSK suites of RFC 5487 / RFC 5489). */
export const defaultPskCiphers = 'PSK-AES128-GCM-SHA256:PSK-AES128-CBC-SHA256:ECDHE-PSK-AES128-CBC-SHA256';

// One topic level: the username and IDs end up inside ACL lines and topics, where '/', '+', '#',
// whitespace and NUL would change their meaning.
const TOPIC_LEVEL = /^[^/+#\s\0]+$/;
const HEX = /^(?:[0-9a-fA-F]{2})+$/;

function level(value: string, what: string): string {
  if (!TOPIC_LEVEL.test(value)) throw new TypeError(`${what} '${value}' cannot be one MQTT topic level`);
  return value;
}

function port(n: number, what: string): number {
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new TypeError(`${what} must be a port number`);
  return n;
}

function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\$\{([A-Z_0-9]+)\}/g, (_, name: string) => {
    const v = values[name];
    if (v === undefined) throw new Error(`template value ${name} is missing`);
    return v;
  });
}

const template = (name: string) => readFileSync(join(here, name), 'utf8');

/** The user sections of the ACL: CSEs get their registration topics, clients their extra IDs. */
export function userAcls(cses: readonly MosquittoCse[], clients: readonly MosquittoClientIds[]): string {
  const byUser = new Map<string, string[]>();
  const add = (user: string, line: string) => {
    const lines = byUser.get(level(user, 'username')) ?? [];
    lines.push(line);
    byUser.set(user, lines);
  };
  for (const cse of cses) {
    if (!/^\/[^/]+$/.test(cse.cseId)) throw new TypeError(`cseId '${cse.cseId}' is not an SP-relative CSE-ID`);
    const csi = level(cse.cseId.slice(1), 'cseId');
    // TS-0010 6.4.4: first registrations arrive under any Credential-ID, addressed to this CSE.
    add(cse.username, `topic read /oneM2M/reg_req/+/${csi}/+`);
    add(cse.username, `topic write /oneM2M/reg_resp/+/${csi}/+`);
    if (csi !== cse.username) addIdLines(add, cse.username, csi);
  }
  for (const c of clients) for (const id of c.ids) addIdLines(add, c.username, level(id, 'id'));
  let out = '';
  for (const [user, lines] of byUser) out += `\nuser ${user}\n${lines.join('\n')}\n`;
  return out;
}

function addIdLines(add: (user: string, line: string) => void, user: string, id: string): void {
  // The same four rights the %u patterns give a client for its own name (TS-0010 7.4).
  add(user, `topic write /oneM2M/req/${id}/+/+`);
  add(user, `topic read /oneM2M/resp/${id}/+/+`);
  add(user, `topic read /oneM2M/req/+/${id}/+`);
  add(user, `topic write /oneM2M/resp/+/${id}/+`);
}

/** Writes only the ACL file (e.g. after a registration); send the broker SIGHUP to reload it. */
export function writeMosquittoAcl(
  aclFile: string,
  cses: readonly MosquittoCse[],
  clients: readonly MosquittoClientIds[] = [],
): void {
  const text = fill(template('acl.template'), { USER_ACLS: userAcls(cses, clients) });
  writeFileSync(aclFile, text, { mode: 0o600 });
}

/** Writes mosquitto.conf, acl and (with a PSK listener) psk into `dir`; returns their paths. */
export function writeMosquittoConfig(o: MosquittoConfigOptions): MosquittoConfigFiles {
  if (o.tls === undefined && o.psk === undefined) throw new TypeError('at least one of tls and psk is needed');
  const dir = resolve(o.dir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const bind = o.bindAddress ?? '127.0.0.1';
  const aclFile = join(dir, 'acl');
  const confFile = join(dir, 'mosquitto.conf');
  writeMosquittoAcl(aclFile, o.cses ?? [], o.clients ?? []);

  let tlsListener = '';
  if (o.tls !== undefined) {
    tlsListener = fill(template('tls-listener.template'), {
      TLS_PORT: String(port(o.tls.port, 'tls.port')),
      BIND_ADDRESS: bind,
      CA_FILE: resolve(o.tls.caFile),
      CERT_FILE: resolve(o.tls.certFile),
      KEY_FILE: resolve(o.tls.keyFile),
      ACL_FILE: aclFile,
    });
  }
  let pskListener = '';
  let pskFile: string | undefined;
  if (o.psk !== undefined) {
    pskFile = join(dir, 'psk');
    const lines = o.psk.keys.map(({ identity, keyHex }) => {
      // psk_file lines are 'identity:key'; a ':' in the identity would split it wrongly.
      if (!/^[^:\s\0]+$/.test(identity)) throw new TypeError(`PSK identity '${identity}' cannot go in a psk_file`);
      if (!HEX.test(keyHex)) throw new TypeError(`PSK key of '${identity}' is not hex`);
      return `${identity}:${keyHex.toLowerCase()}`;
    });
    writeFileSync(pskFile, `${lines.join('\n')}\n`, { mode: 0o600 });
    chmodSync(pskFile, 0o600);
    pskListener = fill(template('psk-listener.template'), {
      PSK_PORT: String(port(o.psk.port, 'psk.port')),
      BIND_ADDRESS: bind,
      PSK_HINT: level(o.psk.hint ?? 'm2msec', 'psk.hint'),
      PSK_FILE: pskFile,
      PSK_CIPHERS: o.psk.ciphers ?? defaultPskCiphers,
      ACL_FILE: aclFile,
    });
  }
  const conf = fill(template('mosquitto.conf.template'), {
    RUN_AS: o.runAsUser === undefined ? '' : `user ${level(o.runAsUser, 'runAsUser')}`,
    PERSISTENCE: o.persistence ? 'true' : 'false',
    DIR: dir,
    LOG: (o.logDest ?? ['stderr']).map((d) => `log_dest ${d}`).join('\n'),
    MAX_PACKET_BYTES: String(o.maxPacketBytes ?? 4 * 1024 * 1024),
    MAX_QUEUED_MESSAGES: String(o.maxQueuedMessages ?? 1000),
    SESSION_EXPIRY: o.sessionExpiry ?? '14d',
    TLS_LISTENER: tlsListener,
    PSK_LISTENER: pskListener,
  });
  writeFileSync(confFile, conf, { mode: 0o600 });
  return { confFile, aclFile, ...(pskFile === undefined ? {} : { pskFile }) };
}

// CLI: npx tsx infra/mosquitto/write-config.ts options.json  (the JSON is a MosquittoConfigOptions)
if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const file = process.argv[2];
  if (file === undefined) {
    process.stderr.write('usage: write-config.ts <options.json>\n');
    process.exit(2);
  }
  const files = writeMosquittoConfig(JSON.parse(readFileSync(file, 'utf8')) as MosquittoConfigOptions);
  process.stdout.write(`${JSON.stringify(files, null, 2)}\n`);
}
