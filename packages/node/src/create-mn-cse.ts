// createMnCse: an MN-CSE as a library, a thin layer over createCseNode (the one composition of a CSE,
// DESIGN.md section 1). The gateway mounts `router` (and `extras`) on its own HTTP server (Mca for AEs);
// start() opens what the options switch on — the HTTPS certificate listener (Mcc from the registrar and
// certificate-based Mca, TS-0003 8.2.2.2), the TLS-PSK listener (Kpsa, MAF-based, DerivedKey, RSPF, GBA;
// TS-0003 8.2.2.1, 8.2.2.3), CoAP/DTLS and MQTT — and registers to the registrar (TS-0001 10.2.2.6,
// cse's Registration); requests for other CSEs are retargeted over the registrar association.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HttpBinding } from '@m2msec/binding-http';
import type { Cse, Logger, RegistrationStatus } from '@m2msec/cse';
import { parseOriginator, type RequestHandler, type TransportContext, toSpRelativeOriginator } from '@m2msec/protocol';
import { openSoftwareSecureEnvironment } from '@m2msec/secure-environment';
import { openMemoryStore, openStore, type Store, type StoreConfig } from '@m2msec/store';
import { type Logger as PinoLogger, pino } from 'pino';
import { defaults, type InCseConfig } from './config.js';
import { type CseNode, type CseNodeConfig, createCseNode } from './create-cse-node.js';
import type { MnCseOptions } from './mn-cse-options.js';

export interface MnCse {
  readonly cse: Cse;
  /** The oneM2M HTTP binding (TS-0009): `app.use('/onem2m', mn.router)`, before any body parser. */
  readonly router: HttpBinding['router'];
  /**
   * The node's paths under /.well-known/m2msec/ (MAF key notifications, RSPF key announcements, the
   * administration API): `app.use(mn.extras)` before the router where those are wanted.
   */
  readonly extras: (req: IncomingMessage, res: ServerResponse, next: () => void) => void;
  /** The CSE's request handler, for other bindings an embedder adds. */
  readonly handler: RequestHandler;
  /** Registration to the registrar as it stands. */
  readonly registration: Readonly<RegistrationStatus>;
  /** URL of the HTTPS certificate listener (Mcc, and certificate-based Mca) once started. */
  readonly mccUrl: string | undefined;
  /** URL of the HTTPS TLS-PSK listener for AEs (security.psk) once started. */
  readonly pskUrl: string | undefined;
  /** URL (coaps://) of the CoAP/DTLS listener once started. */
  readonly coapUrl: string | undefined;
  /** The composition underneath (security functions, listeners). */
  readonly node: CseNode;
  /** Connects MQTT, opens the listeners, starts registering (in the background). */
  start(): Promise<void>;
  /** Resolves once registered to the registrar. */
  whenRegistered(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

function isStore(s: MnCseOptions['store']): s is Store {
  return typeof (s as Store | undefined)?.transaction === 'function';
}

function checkOptions(o: MnCseOptions): void {
  const r = o.registrar;
  if (!r.framework && !r.plainHttp) {
    throw new TypeError(
      'createMnCse: registrar.framework (a SAEF credential) is required; plainHttp: true only for closed labs',
    );
  }
  const scheme = new URL(r.url).protocol;
  if (r.framework && scheme !== 'https:')
    throw new TypeError(`createMnCse: registrar.url must be https with a SAEF framework`);
  if (!r.framework && scheme !== 'http:') throw new TypeError('createMnCse: plainHttp needs an http registrar.url');
  if (o.security?.maf && !o.security.maf.notificationUrl) {
    throw new TypeError(
      'createMnCse: security.maf.notificationUrl is required (mount mn.extras on the gateway server and name its URL)',
    );
  }
  const coapIds = new Set((o.coap?.psk ?? []).map((p) => p.identity));
  if (coapIds.size !== (o.coap?.psk ?? []).length) throw new TypeError('createMnCse: coap.psk names an identity twice');
}

const LEVELS = { 10: 'debug', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'error' } as const;

/** The embedder's logger (cse's four-method shape) behind the pino interface the composition logs through. */
function pinoOf(log: Logger | undefined): PinoLogger {
  if (!log) return pino({ level: 'silent' });
  return pino(
    { level: 'debug', base: null, timestamp: false },
    {
      write(line: string) {
        const { level, msg, ...fields } = JSON.parse(line) as { level: keyof typeof LEVELS; msg?: string };
        log[LEVELS[level] ?? 'info'](fields, msg);
      },
    },
  );
}

/** MnCseOptions.endToEnd as the IN-CSE's `endToEnd` section; its in-memory keys go to openEndToEnd apart. */
function endToEndConfigOf(e: NonNullable<MnCseOptions['endToEnd']>): NonNullable<InCseConfig['endToEnd']> {
  const { mefProvisioned, mafDistributed } = e.esprim;
  return {
    esprim: {
      keys: [],
      ...(mefProvisioned !== undefined ? { mefProvisioned } : {}),
      ...(mafDistributed !== undefined ? { mafDistributed } : {}),
    },
    ...(e.escertke ? { escertke: e.escertke } : {}),
  };
}

/** The IN-CSE configuration keys an MN-CSE takes from MnCseOptions (identity, SAEFs, listeners). */
function nodeConfigOf(o: MnCseOptions, dataDir: string): CseNodeConfig {
  const d = structuredClone(defaults);
  const pem = (v: string | Buffer) => (typeof v === 'string' ? v : v.toString('utf8'));
  const isPath = (v: string | Buffer): v is string => typeof v === 'string' && !v.includes('-----BEGIN');
  const security: InCseConfig['security'] = {
    ...d.security,
    mca: o.mca ?? 'optional',
    ...o.security,
    ...(o.mcc
      ? {
          certificate: {
            host: o.mcc.host ?? '127.0.0.1',
            port: o.mcc.port,
            cert: pem(o.mcc.cert),
            key: pem(o.mcc.key),
            trustAnchors: o.mcc.trustAnchors.map(pem),
            crls: (o.mcc.crls ?? []).filter(isPath),
            ...(o.mcc.crl ? { crl: o.mcc.crl } : {}),
            tls13: true,
          },
        }
      : {}),
  };
  return {
    ...d,
    cse: {
      ...d.cse,
      cseId: o.cseId,
      cseBaseName: o.cseBaseName,
      spId: o.spId,
      ...(o.adminOriginators ? { adminOriginators: o.adminOriginators } : {}),
    },
    // The embedder serves `router` on its own server: no plain listener of the node's.
    http: { ...d.http, enabled: false, ...(o.maxBodyBytes ? { maxBodyBytes: o.maxBodyBytes } : {}) },
    dataDir,
    registration: {
      appRules: (o.appRules ?? []).map((r) => structuredClone(r) as InCseConfig['registration']['appRules'][number]),
    },
    security,
    requestTimeoutMs: o.requestTimeoutMs ?? 5_000,
    ...(o.notifications ? { notifications: o.notifications } : {}),
    ...(o.mqtt
      ? { mqtt: { url: o.mqtt.url, ...(o.mqtt.topicPrefix ? { topicPrefix: o.mqtt.topicPrefix } : {}) } }
      : {}),
    ...(o.coap
      ? {
          coap: {
            host: o.coap.host ?? '127.0.0.1',
            port: o.coap.port,
            ...(o.coap.responseOptions ? { responseOptions: o.coap.responseOptions } : {}),
          },
        }
      : {}),
    poa: o.poa,
    registrar: o.registrar,
    ...(o.endToEnd ? { endToEnd: endToEndConfigOf(o.endToEnd) } : {}),
  };
}

export async function createMnCse(o: MnCseOptions): Promise<MnCse> {
  checkOptions(o);
  const log = pinoOf(o.log);
  const ownStore = !isStore(o.store);
  const store = isStore(o.store) ? o.store : o.store ? await openStore(o.store as StoreConfig) : openMemoryStore();
  // Without a data directory the keystore is ephemeral, like the default in-memory store: a private
  // directory (0700) and a random KEK held only in memory, both gone at stop().
  const tempDir = o.dataDir ? undefined : mkdtempSync(join(tmpdir(), 'm2msec-mn-cse-'));
  const dataDir = o.dataDir ?? tempDir!;
  const cleanup = async () => {
    if (ownStore) await store.close().catch(() => undefined);
    if (tempDir) rmSync(tempDir, { recursive: true, force: true });
  };
  try {
    const config = nodeConfigOf(o, dataDir);
    const idContext = { spId: o.spId, cseId: o.cseId };
    const spRelative = (id: string) => {
      try {
        return toSpRelativeOriginator(parseOriginator(id), idContext);
      } catch (e) {
        throw new TypeError(`createMnCse: '${id}' is not an originator: ${(e as Error).message}`);
      }
    };
    // Default privilege test (cse's): From is one of adminOriginators outside any association.
    const admins = new Set((o.adminOriginators ?? defaults.cse.adminOriginators).map(spRelative));
    const isAdministrator =
      o.isAdministrator ??
      ((originator: string, transport: TransportContext) => admins.has(originator) && !transport.association);
    const kek = tempDir ? randomBytes(32) : undefined;
    const se = kek
      ? await openSoftwareSecureEnvironment({ path: join(dataDir, 'keystore.json'), kek }).finally(() => kek.fill(0))
      : undefined;
    const node = await createCseNode(config, {
      log,
      store,
      isAdministrator,
      ...(se ? { secureEnvironment: se } : {}),
      // The IN-CSE's end-to-end composition (openEndToEnd); keys given in memory ride beside the config.
      ...(o.endToEnd
        ? {
            endToEndInline: {
              keys: o.endToEnd.esprim.keys,
              ...(o.endToEnd.esprim.randLifetimeMs !== undefined
                ? { randLifetimeMs: o.endToEnd.esprim.randLifetimeMs }
                : {}),
            },
          }
        : {}),
      ...(o.mqtt
        ? {
            mqttConnect: {
              url: o.mqtt.url,
              ...(o.mqtt.failover ? { failover: o.mqtt.failover } : {}),
              tls: o.mqtt.tls,
            },
            ...(o.mqtt.onRegistration ? { mqttOnRegistration: o.mqtt.onRegistration } : {}),
          }
        : {}),
      ...(o.mcc?.crls
        ? { certificateCrls: o.mcc.crls.filter((c) => typeof c !== 'string' || c.includes('-----BEGIN')) }
        : {}),
      ...(o.relayTestHook ? { relayTestHook: o.relayTestHook } : {}),
    }).catch(async (e) => {
      // Nothing half-open stays behind: the ephemeral SE this call opened is closed again.
      await se?.close().catch(() => undefined);
      throw e;
    });
    // The CoAP listener's Kpsa (TS-0003 8.2.2.1) go where every PSK listener reads them: the credential
    // store behind the PSK identity router, each Credential-ID bound to the AE-IDs it may act as.
    try {
      for (const p of o.coap?.psk ?? []) {
        const { credentials, bindings, kpsa } = node.security;
        if (credentials.list({ kind: 'Kpsa' }).some((r) => r.credentialId === p.identity))
          await credentials.delete(p.identity);
        await credentials.addKey('Kpsa', { credentialId: p.identity, owner: 'mn-cse-options', suid: 12 }, p.key);
        kpsa.refresh();
        await bindings.set(`12-${p.identity}`, { kind: 'ae', aeIds: (p.boundIds ?? []).map(spRelative) });
      }
    } catch (e) {
      await node.stop().catch(() => undefined);
      throw e;
    }
    return {
      node,
      cse: node.cse,
      router: node.binding.router,
      extras: node.extras,
      handler: node.handler,
      registration: node.registration!,
      get mccUrl() {
        return node.listeners.certificate?.url;
      },
      get pskUrl() {
        return node.listeners.psk?.url;
      },
      get coapUrl() {
        return node.listeners.coap?.url;
      },
      async start() {
        await node.start();
      },
      whenRegistered: (t) => node.whenRegistered(t),
      async stop() {
        await node.stop();
        await cleanup();
      },
    };
  } catch (e) {
    await cleanup();
    throw e;
  }
}
