// The AE process configuration (JSON file): what AeOptions needs, with key material by file path.

import { createPrivateKey, createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { MqttTlsOptions } from '@m2msec/binding-mqtt';
import {
  ESDATA_JWE_ALGS,
  ESDATA_JWS_ALGS,
  type EsdataJweAlg,
  type EsdataJwsAlg,
  isJweAlg,
  isJwsAlg,
} from '@m2msec/esdata';
import type { SaefClientFramework } from '@m2msec/saef';
import { checkSecretFileMode } from '@m2msec/secure-environment';
import { type EsdataMafFileConfig, esdataMafOptions, esdataMafProblem } from './esdata-maf.js';
import { type EsdataTargetFileConfig, esdataTargetOptions, esdataTargetProblem } from './esdata-target.js';
import { type EsprimMafFileConfig, esprimMafOptions, esprimMafProblem } from './esprim-maf.js';
import type { AeOptions } from './options.js';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

interface PskRef {
  identity: string;
  keyFile: string;
  servername?: string;
}
interface CertRef {
  cert: string;
  key: string;
  trustAnchors?: string[];
  ca?: string;
  servername?: string;
}

export interface AeFileConfig {
  registrar: { cseId: string; cseBaseName: string };
  /**
   * Remote security configuration (docs/remote-security-config.md): the address of this AE's <node> at
   * the CSE hosting it (hostingCseId), watched by push (`push`) or polled every pollSeconds; needs an
   * https transport.certificate,
   * whose files a switched credential replaces.
   */
  deviceConfig?: {
    node: string;
    hostingCseId: string;
    pollSeconds?: number;
    /** Host name of a MEF / MAF / trust anchor server -> the IPv4 address to connect to (split DNS). */
    hosts?: Record<string, string>;
    /**
     * Push: this AE's notification endpoint for its <subscription>s on the <node> and its <mgmtObj>s
     * (loopback by default); polling every fallbackPollSeconds (default 3600) stays beside it, and every
     * pollSeconds when the subscription cannot be made.
     */
    push?: { host?: string; port: number; fallbackPollSeconds?: number };
  };
  transport:
    | {
        kind: 'http';
        url: string;
        psk?: PskRef;
        certificate?: CertRef & { trustAnchors: string[]; servername: string };
        notify?: { host: string; port: number; publicUrl?: string };
      }
    | {
        kind: 'mqtt';
        url: string;
        /** Further nodes of the same clustered broker (docs/mqtt-cluster.md). */
        failover?: string[];
        psk?: PskRef;
        certificate?: CertRef;
        ca?: string;
        credentialId?: string;
        poa?: string[];
      }
    | {
        /** Mca over CoAP/DTLS 1.2 (TS-0008): a coaps:// url, a PSK or a certificate (docs/coap.md). */
        kind: 'coap';
        url: string;
        psk?: PskRef;
        certificate?: CertRef & { trustAnchors: string[] };
      };
  stem?: string;
  appId: string;
  container?: AeOptions['container'];
  postTo?: string;
  subscribe?: boolean;
  requestTimeoutMs?: number;
  /** run mode: post every intervalMs (0: never), at most count posts (0: no limit). */
  intervalMs?: number;
  count?: number;
  /** run mode: RETRIEVE `to` every `everyMs` and print the outcome (a dashboard-like reader). */
  watch?: { to: string; everyMs: number };
  /**
   * End-to-end security (docs/end-to-end-security.md): keys from files only their owner can read, each
   * holding the base64 of at least 16 bytes.
   */
  endToEnd?: {
    /**
     * ESPrim with a pre-provisioned pairwiseESPrimKey (kid, keyFile), or with a key established by ESCertKE
     * (TS-0003 8.7) with the Target through the relays (escertke: this AE's certificate, its private key
     * (0600), the trust anchors for the Target's certificate, the SP-ID of the identities).
     */
    esprim?: {
      kid?: string;
      keyFile?: string;
      escertke?: {
        cert: string;
        key: string;
        trustAnchors: string[];
        spId: string;
        /** Keystore (Secure Environment) that keeps the established key across restarts; KEK file 0600. */
        keystore?: { path: string; keyFile: string };
      };
      /** The MAF ESPrim Framework (TS-0003 8.4.2 A, SUID 33): a key registered at this MAF for the Target. */
      maf?: EsprimMafFileConfig;
      targetCseBase: string;
    };
    /**
     * ESData of `con`: encryption to `kid` with a symmetric key (keyFile, alg dir / A*KW, default dir) or
     * a public key (publicKeyFile PEM, alg RSA-OAEP-256 / ECDH-ES+A*KW); `sign` with an HMAC key (keyFile)
     * or a private key (privateKeyFile PEM, 0600). Both: Nested-Sign-then-Encrypt (TS-0003 8.5.3.4).
     */
    esdata?: {
      kid?: string;
      keyFile?: string;
      publicKeyFile?: string;
      alg?: string;
      sign?: { kid: string; alg: string; keyFile?: string; privateKeyFile?: string };
      /**
       * Instead of kid and a key file: a Source-generated key registered at a MAF for targetIDs (TS-0003
       * 8.6.3, 8.8.2.7, SUID 34); the Targets retrieve it from the MAF.
       */
      maf?: EsdataMafFileConfig;
    };
    /**
     * This AE as ESData Target: the class it expects and the credentials it trusts (key files, and keys
     * registered at a MAF, retrieved by kid); the con of every contentInstance it retrieves is opened.
     */
    esdataTarget?: EsdataTargetFileConfig;
  };
}

/** A secret file's bytes, once its mode shows only its owner can read it (docs/hardening.md). */
function secretFile(path: string, what: string): Buffer {
  checkSecretFileMode(path, what);
  return readFileSync(path);
}

/** A PSK as hex from a file only its owner can read (docs/hardening.md). */
function keyFromFile(path: string): Uint8Array {
  checkSecretFileMode(path, 'PSK file');
  const text = readFileSync(path, 'utf8').trim();
  if (!/^([0-9a-fA-F]{2}){16,64}$/.test(text)) throw new ConfigError(`${path} must hold 16 to 64 bytes of hex`);
  return Buffer.from(text, 'hex');
}

/** An end-to-end key: base64 (whitespace ignored) of at least 16 bytes, from a file only its owner can read. */
function e2eKeyFromFile(path: string, what: string): Uint8Array {
  const text = secretFile(path, what).toString('utf8').replace(/\s+/g, '');
  const key = /^[A-Za-z0-9+/_-]+={0,2}$/.test(text) ? Buffer.from(text, 'base64') : Buffer.alloc(0);
  if (key.length < 16) throw new ConfigError(`${what} must hold the base64 of at least 16 bytes`);
  return key;
}

function need(cond: unknown, message: string): asserts cond {
  if (!cond) throw new ConfigError(message);
}

export function readConfig(path: string): AeFileConfig {
  let c: AeFileConfig;
  try {
    c = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new ConfigError(`cannot read ${path}: ${(e as Error).message}`);
  }
  need(c && typeof c === 'object', 'configuration must be a JSON object');
  need(
    typeof c.registrar?.cseId === 'string' && /^\/[A-Za-z0-9._~-]+$/.test(c.registrar.cseId),
    'registrar.cseId must be like /id-mn',
  );
  need(typeof c.registrar?.cseBaseName === 'string', 'registrar.cseBaseName is required');
  need(
    c.transport?.kind === 'http' || c.transport?.kind === 'mqtt' || c.transport?.kind === 'coap',
    "transport.kind must be 'http', 'mqtt' or 'coap'",
  );
  need(typeof c.transport.url === 'string', 'transport.url is required');
  if (c.deviceConfig) {
    need(
      c.transport.kind === 'http' && !!c.transport.certificate,
      'deviceConfig needs an https transport with transport.certificate (the credential it replaces)',
    );
    need(
      typeof c.deviceConfig.node === 'string' && /^\/[^/]+\/.+/.test(c.deviceConfig.node),
      'deviceConfig.node must be the address of the <node>, like /id-in/cse-in/node-1',
    );
    need(
      typeof c.deviceConfig.hostingCseId === 'string' && /^\/[A-Za-z0-9._~-]+$/.test(c.deviceConfig.hostingCseId),
      'deviceConfig.hostingCseId must be like /id-in',
    );
    const hosts = c.deviceConfig.hosts;
    need(
      hosts === undefined ||
        (typeof hosts === 'object' &&
          hosts !== null &&
          Object.values(hosts).every((a) => typeof a === 'string' && /^\d{1,3}(\.\d{1,3}){3}$/.test(a))),
      'deviceConfig.hosts maps host names to IPv4 addresses',
    );
    const push = c.deviceConfig.push;
    const seconds = (v: unknown) =>
      v === undefined || (Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 86_400);
    need(
      push === undefined ||
        (typeof push === 'object' &&
          push !== null &&
          Number.isInteger(push.port) &&
          push.port >= 0 &&
          push.port <= 65_535 &&
          (push.host === undefined ||
            (typeof push.host === 'string' &&
              /^[0-9A-Fa-f:.]+$/.test(push.host) &&
              !/^(0\.0\.0\.0|::)$/.test(push.host))) &&
          seconds(push.fallbackPollSeconds)),
      'deviceConfig.push is { port: 0..65535, host?: an IP address the CSE reaches (not a wildcard), fallbackPollSeconds?: 1..86400 }',
    );
    need(seconds(c.deviceConfig.pollSeconds), 'deviceConfig.pollSeconds must be an integer from 1 to 86400');
  }
  if (c.transport.kind === 'coap') {
    // Only DTLS: plain CoAP would carry the AE's requests without any security association.
    need(c.transport.url.startsWith('coaps://'), 'a CoAP transport.url must be coaps:// (DTLS)');
    need(
      !!c.transport.psk !== !!c.transport.certificate,
      'a CoAP AE needs exactly one of transport.psk and transport.certificate',
    );
    need(
      !c.transport.certificate || (c.transport.certificate.trustAnchors?.length ?? 0) > 0,
      'transport.certificate.trustAnchors must name the CSE certificate trust anchors',
    );
  }
  need(typeof c.appId === 'string' && /^[NR]/.test(c.appId), "appId must start with 'N' or 'R' (TS-0001 7.2)");
  need(
    c.stem === undefined || /^[CS][A-Za-z0-9._~-]+$/.test(c.stem),
    "stem must be an AE-ID-Stem starting with 'C' or 'S'",
  );
  need(
    c.watch === undefined ||
      (typeof c.watch.to === 'string' && Number.isInteger(c.watch.everyMs) && c.watch.everyMs > 0),
    'watch needs a target "to" and a positive integer "everyMs"',
  );
  if (c.transport.kind === 'mqtt') {
    need(!!c.transport.psk || !!c.transport.certificate, 'an MQTT AE needs transport.psk or transport.certificate');
    const scheme = c.transport.url.split('//')[0];
    need(
      c.transport.failover === undefined ||
        (Array.isArray(c.transport.failover) &&
          c.transport.failover.every(
            (u) => typeof u === 'string' && u.split('//')[0] === scheme && /^mqtts?:\/\//.test(u),
          )),
      'transport.failover must list broker URLs with the scheme of transport.url',
    );
  }
  const e = c.endToEnd;
  if (e !== undefined) {
    need(typeof e === 'object' && e !== null, 'endToEnd must be an object');
    const extra = Object.keys(e).filter((k) => k !== 'esprim' && k !== 'esdata' && k !== 'esdataTarget');
    need(extra.length === 0, `endToEnd: unknown member(s) ${extra.join(', ')} (esprim, esdata, esdataTarget)`);
    if (e.esdataTarget !== undefined) {
      const problem = esdataTargetProblem(e.esdataTarget);
      need(problem === undefined, problem!);
    }
    for (const [name, allowed] of [
      ['esprim', ['kid', 'keyFile', 'escertke', 'maf', 'targetCseBase']],
      ['esdata', ['kid', 'keyFile', 'publicKeyFile', 'alg', 'sign', 'maf']],
    ] as const) {
      const v = e[name] as Record<string, unknown> | undefined;
      need(v === undefined || (typeof v === 'object' && v !== null), `endToEnd.${name} must be an object`);
      const unknown = Object.keys(v ?? {}).filter((k) => !(allowed as readonly string[]).includes(k));
      need(unknown.length === 0, `endToEnd.${name}: unknown member(s) ${unknown.join(', ')} (keys only from keyFile)`);
    }
    if (e.esprim) {
      const k = e.esprim.escertke;
      const sources = [
        e.esprim.kid !== undefined || e.esprim.keyFile !== undefined,
        k !== undefined,
        e.esprim.maf !== undefined,
      ];
      need(
        sources.filter(Boolean).length <= 1,
        'endToEnd.esprim: one key source only, not both: kid and keyFile, escertke, or maf',
      );
      if (e.esprim.maf !== undefined) {
        const problem = esprimMafProblem(e.esprim.maf);
        need(problem === undefined, problem!);
      } else if (k === undefined)
        need(
          typeof e.esprim.kid === 'string' && e.esprim.kid !== '' && typeof e.esprim.keyFile === 'string',
          'endToEnd.esprim needs kid and keyFile (never an inline key), or escertke',
        );
      else {
        need(
          e.esprim.kid === undefined && e.esprim.keyFile === undefined,
          'endToEnd.esprim: either kid and keyFile or escertke, not both',
        );
        need(
          typeof k === 'object' &&
            k !== null &&
            Object.keys(k).every((m) => ['cert', 'key', 'trustAnchors', 'spId', 'keystore'].includes(m)) &&
            typeof k.cert === 'string' &&
            typeof k.key === 'string' &&
            typeof k.spId === 'string' &&
            Array.isArray(k.trustAnchors) &&
            k.trustAnchors.length > 0 &&
            k.trustAnchors.every((t) => typeof t === 'string'),
          'endToEnd.esprim.escertke needs exactly cert, key, trustAnchors (a non-empty list of files) and spId',
        );
        const ks = k.keystore;
        need(
          ks === undefined ||
            (typeof ks === 'object' &&
              ks !== null &&
              Object.keys(ks).every((m) => m === 'path' || m === 'keyFile') &&
              typeof ks.path === 'string' &&
              ks.path !== '' &&
              typeof ks.keyFile === 'string' &&
              ks.keyFile !== ''),
          'endToEnd.esprim.escertke.keystore needs exactly path (the keystore file) and keyFile (its KEK, 0600)',
        );
      }
      need(
        typeof e.esprim.targetCseBase === 'string' && /^\/[^/]+\/[^/]+$/.test(e.esprim.targetCseBase),
        'endToEnd.esprim.targetCseBase must be the SP-relative <CSEBase> address, e.g. /id-in/cse-in',
      );
    }
    if (e.esdata) checkEsdata(e.esdata);
  }
  return c;
}

function checkEsdata(d: NonNullable<NonNullable<AeFileConfig['endToEnd']>['esdata']>): void {
  const one = (a: unknown, b: unknown) => (typeof a === 'string') !== (typeof b === 'string');
  const encrypts = d.kid !== undefined || d.keyFile !== undefined || d.publicKeyFile !== undefined;
  need(
    encrypts || d.sign !== undefined || d.maf !== undefined,
    'endToEnd.esdata needs an encryption key (kid and keyFile, or maf) or sign',
  );
  if (d.maf !== undefined) {
    need(
      !encrypts && d.alg === undefined,
      'endToEnd.esdata: either maf (a key registered at the MAF) or kid / keyFile / publicKeyFile / alg, not both',
    );
    need(
      d.maf.usage !== 'sign' || d.sign === undefined,
      'endToEnd.esdata: maf with usage sign and sign are two signers: give one (an HMAC JWS cannot be nested, TS-0003 8.5.3.4)',
    );
    const problem = esdataMafProblem(d.maf);
    need(problem === undefined, problem!);
  } else if (encrypts) {
    need(
      typeof d.kid === 'string' && d.kid !== '' && one(d.keyFile, d.publicKeyFile),
      'endToEnd.esdata needs kid and exactly one of keyFile and publicKeyFile (never an inline key)',
    );
    const alg = d.alg ?? (d.keyFile ? 'dir' : undefined);
    need(isJweAlg(alg), `endToEnd.esdata.alg must be one of ${ESDATA_JWE_ALGS.join(', ')} (TS-0003 8.5.3.2)`);
    need(
      d.publicKeyFile ? ['RSA-OAEP-256', 'ECDH-ES+A128KW', 'ECDH-ES+A192KW', 'ECDH-ES+A256KW'].includes(alg!) : true,
      'endToEnd.esdata: a publicKeyFile takes alg RSA-OAEP-256 or ECDH-ES+A*KW',
    );
  } else need(d.alg === undefined, 'endToEnd.esdata.alg needs kid and a key');
  const s = d.sign;
  if (s !== undefined) {
    need(
      typeof s === 'object' &&
        s !== null &&
        Object.keys(s).every((k) => ['kid', 'alg', 'keyFile', 'privateKeyFile'].includes(k)) &&
        typeof s.kid === 'string' &&
        s.kid !== '' &&
        one(s.keyFile, s.privateKeyFile),
      'endToEnd.esdata.sign needs kid, alg and exactly one of keyFile and privateKeyFile',
    );
    need(isJwsAlg(s.alg), `endToEnd.esdata.sign.alg must be one of ${ESDATA_JWS_ALGS.join(', ')} (TS-0003 8.5.3.3)`);
    need(
      s.alg.startsWith('HS') ? typeof s.keyFile === 'string' : typeof s.privateKeyFile === 'string',
      'endToEnd.esdata.sign: HS* takes a keyFile, RS* / ES* a privateKeyFile',
    );
  }
}

/** AeOptions from the file configuration, key files read. `stem` overrides the file's (load mode). */
export function aeOptions(c: AeFileConfig, stem = c.stem): AeOptions {
  const t = c.transport;
  let transport: AeOptions['transport'];
  if (t.kind === 'http') {
    let framework: SaefClientFramework | undefined;
    if (t.psk)
      framework = {
        kind: 'psk',
        identity: t.psk.identity,
        key: keyFromFile(t.psk.keyFile),
        ...(t.psk.servername ? { servername: t.psk.servername } : {}),
      };
    else if (t.certificate) {
      framework = {
        kind: 'certificate',
        cert: readFileSync(t.certificate.cert),
        key: secretFile(t.certificate.key, 'private key (certificate.key)'),
        trustAnchors: t.certificate.trustAnchors.map((f) => readFileSync(f)),
        servername: t.certificate.servername,
      };
    }
    need(
      !t.url.startsWith('https:') || framework,
      'an https transport.url needs transport.psk or transport.certificate',
    );
    transport = {
      kind: 'http',
      url: t.url,
      ...(framework ? { framework } : {}),
      ...(t.notify ? { notify: t.notify } : {}),
    };
  } else if (t.kind === 'coap') {
    transport = {
      kind: 'coap',
      url: t.url,
      ...(t.psk ? { psk: { identity: t.psk.identity, key: Buffer.from(keyFromFile(t.psk.keyFile)) } } : {}),
      ...(t.certificate
        ? {
            certificate: {
              certPem: readFileSync(t.certificate.cert, 'utf8'),
              keyPem: secretFile(t.certificate.key, 'private key (certificate.key)').toString('utf8'),
              caPem: t.certificate.trustAnchors.map((f) => readFileSync(f, 'utf8')).join('\n'),
            },
          }
        : {}),
    };
  } else {
    const tls: MqttTlsOptions = {
      ...(t.ca ? { ca: readFileSync(t.ca, 'utf8') } : {}),
      ...(t.psk ? { psk: { identity: t.psk.identity, key: keyFromFile(t.psk.keyFile) } } : {}),
      ...(t.certificate
        ? {
            cert: readFileSync(t.certificate.cert, 'utf8'),
            key: secretFile(t.certificate.key, 'private key').toString('utf8'),
          }
        : {}),
      ...(t.certificate?.servername ? { servername: t.certificate.servername } : {}),
    };
    transport = {
      kind: 'mqtt',
      url: t.url,
      ...(t.failover?.length ? { failover: t.failover } : {}),
      tls,
      ...(t.credentialId ? { credentialId: t.credentialId } : {}),
      ...(t.poa ? { poa: t.poa } : {}),
    };
  }
  return {
    registrar: c.registrar,
    transport,
    appId: c.appId,
    ...(stem ? { stem } : {}),
    ...(c.container ? { container: c.container } : {}),
    ...(c.postTo ? { postTo: c.postTo } : {}),
    ...(c.subscribe ? { subscribe: true } : {}),
    ...(c.requestTimeoutMs ? { requestTimeoutMs: c.requestTimeoutMs } : {}),
    ...(c.endToEnd ? { endToEnd: endToEndOptions(c.endToEnd) } : {}),
  };
}

function endToEndOptions(e: NonNullable<AeFileConfig['endToEnd']>): NonNullable<AeOptions['endToEnd']> {
  return {
    ...(e.esprim
      ? {
          esprim: e.esprim.maf
            ? { maf: esprimMafConfigOptions(e.esprim.maf), targetCseBase: e.esprim.targetCseBase }
            : e.esprim.escertke
              ? {
                  escertke: {
                    cert: readFileSync(e.esprim.escertke.cert, 'utf8'),
                    key: secretFile(
                      e.esprim.escertke.key,
                      'ESCertKE private key (endToEnd.esprim.escertke.key)',
                    ).toString('utf8'),
                    ca: e.esprim.escertke.trustAnchors.map((f) => readFileSync(f, 'utf8')),
                    spId: e.esprim.escertke.spId,
                    ...(e.esprim.escertke.keystore ? { keystore: { ...e.esprim.escertke.keystore } } : {}),
                  },
                  targetCseBase: e.esprim.targetCseBase,
                }
              : {
                  kid: e.esprim.kid!,
                  key: e2eKeyFromFile(e.esprim.keyFile!, 'pairwiseESPrimKey file (endToEnd.esprim.keyFile)'),
                  targetCseBase: e.esprim.targetCseBase,
                },
        }
      : {}),
    ...(e.esdata
      ? {
          esdata: esdataOptions(e.esdata),
        }
      : {}),
    ...(e.esdataTarget ? { esdataTarget: targetOptions(e.esdataTarget) } : {}),
  };
}

function esprimMafConfigOptions(m: EsprimMafFileConfig): ReturnType<typeof esprimMafOptions> {
  try {
    return esprimMafOptions(m);
  } catch (e) {
    if (e instanceof TypeError) throw new ConfigError(e.message);
    throw e;
  }
}

function mafOptions(m: EsdataMafFileConfig): ReturnType<typeof esdataMafOptions> {
  try {
    return esdataMafOptions(m);
  } catch (e) {
    if (e instanceof TypeError) throw new ConfigError(e.message);
    throw e;
  }
}

function targetOptions(t: EsdataTargetFileConfig): ReturnType<typeof esdataTargetOptions> {
  try {
    return esdataTargetOptions(t, e2eKeyFromFile, secretFile);
  } catch (e) {
    if (e instanceof TypeError) throw new ConfigError(e.message);
    throw e;
  }
}

/** The ESData recipient and signer, keys read from their files (private ones only if 0600). */
function esdataOptions(
  d: NonNullable<NonNullable<AeFileConfig['endToEnd']>['esdata']>,
): NonNullable<NonNullable<AeOptions['endToEnd']>['esdata']> {
  const recipient =
    d.kid === undefined
      ? undefined
      : {
          kid: d.kid,
          alg: (d.alg ?? 'dir') as EsdataJweAlg,
          key: d.keyFile
            ? e2eKeyFromFile(d.keyFile, 'ESData key file (endToEnd.esdata.keyFile)')
            : createPublicKey(readFileSync(d.publicKeyFile!)),
        };
  const s = d.sign;
  const signer = s && {
    kid: s.kid,
    alg: s.alg as EsdataJwsAlg,
    key: s.keyFile
      ? e2eKeyFromFile(s.keyFile, 'ESData signing key file (endToEnd.esdata.sign.keyFile)')
      : createPrivateKey(secretFile(s.privateKeyFile!, 'ESData private key (endToEnd.esdata.sign.privateKeyFile)')),
  };
  return {
    ...(recipient ? { recipient } : {}),
    ...(signer ? { signer } : {}),
    ...(d.maf ? { maf: mafOptions(d.maf) } : {}),
  };
}
