// The AE as an ESData Target End-Point (TS-0003 8.5.2.2.1 D, 8.5.2.3.1 C): it opens the `con` of the
// contentInstances it retrieves (cnf contentSecurity 1-3) with the credentials it trusts: keys from files
// (symmetric, or a public key to verify / a private key to decrypt) and keys a Source registered at the
// MAF (8.6.3, retrieved by kid with its own MAF client, @m2msec/maf's mafESDataKeyResolver). The class it
// expects is configured, so a stripped signature or encryption is refused, not accepted. Wiring only.
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  type EsdataClass,
  EsdataError,
  type EsdataKeyResolver,
  keyResolver,
  parseContentInfo,
  unprotectContent,
} from '@m2msec/esdata';
import { MafClient, mafESDataKeyResolver } from '@m2msec/maf';
import { type EsdataMafTargetFileConfig, esdataMafTargetProblem, kmFromFile } from './esdata-maf.js';

export interface EsdataTargetFileConfig {
  securityClass: EsdataClass;
  keys?: Array<{ kid: string; keyFile?: string; publicKeyFile?: string; privateKeyFile?: string }>;
  maf?: EsdataMafTargetFileConfig;
}

export interface EsdataTargetOptions {
  securityClass: EsdataClass;
  keys: Array<{ kid: string; key: Uint8Array | KeyObject }>;
  maf?: { mafUrl: string; mafFqdn: string; kmId: string; km: Uint8Array; adminFQDN: string };
}

export type OpenedContent = { opened: string } | { openRsc: number; openCode: string; openError: string };

const CLASSES: readonly string[] = ['encrypt', 'sign', 'sign-then-encrypt'];

export function esdataTargetProblem(t: unknown): string | undefined {
  if (typeof t !== 'object' || t === null) return 'endToEnd.esdataTarget must be an object';
  const c = t as Record<string, unknown>;
  const unknown = Object.keys(c).filter((k) => !['securityClass', 'keys', 'maf'].includes(k));
  if (unknown.length)
    return `endToEnd.esdataTarget: unknown member(s) ${unknown.join(', ')} (securityClass, keys, maf)`;
  if (!CLASSES.includes(c.securityClass as string))
    return `endToEnd.esdataTarget.securityClass must be one of ${CLASSES.join(', ')} (TS-0003 8.5.2)`;
  if (c.keys === undefined && c.maf === undefined) return 'endToEnd.esdataTarget needs keys or maf';
  if (c.keys !== undefined) {
    if (!Array.isArray(c.keys)) return 'endToEnd.esdataTarget.keys must be a list';
    for (const k of c.keys as Array<Record<string, unknown>>) {
      const files = ['keyFile', 'publicKeyFile', 'privateKeyFile'].filter((f) => typeof k?.[f] === 'string');
      if (
        typeof k !== 'object' ||
        typeof k.kid !== 'string' ||
        k.kid === '' ||
        files.length !== 1 ||
        Object.keys(k).some((m) => !['kid', 'keyFile', 'publicKeyFile', 'privateKeyFile'].includes(m))
      )
        return 'endToEnd.esdataTarget.keys: each needs kid and exactly one of keyFile, publicKeyFile, privateKeyFile';
    }
  }
  return c.maf === undefined ? undefined : esdataMafTargetProblem(c.maf);
}

/** Options from the checked configuration; `symmetric` reads a base64 key file (0600). */
export function esdataTargetOptions(
  c: EsdataTargetFileConfig,
  symmetric: (path: string, what: string) => Uint8Array,
  secret: (path: string, what: string) => Buffer,
): EsdataTargetOptions {
  const keys = (c.keys ?? []).map((k) => ({
    kid: k.kid,
    key: k.keyFile
      ? symmetric(k.keyFile, `ESData key file of ${k.kid} (endToEnd.esdataTarget.keys)`)
      : k.publicKeyFile
        ? createPublicKey(readFileSync(k.publicKeyFile))
        : createPrivateKey(secret(k.privateKeyFile!, `ESData private key of ${k.kid} (endToEnd.esdataTarget.keys)`)),
  }));
  const m = c.maf;
  return {
    securityClass: c.securityClass,
    keys,
    ...(m
      ? {
          maf: {
            mafUrl: m.url,
            mafFqdn: m.fqdn,
            kmId: m.kmId,
            km: kmFromFile(m.kmFile, 'Km file (endToEnd.esdataTarget.maf.kmFile)'),
            adminFQDN: m.adminFQDN,
          },
        }
      : {}),
  };
}

export class EsdataTarget {
  private readonly resolve: EsdataKeyResolver;
  private registered: Promise<unknown> | undefined;

  constructor(private readonly o: EsdataTargetOptions) {
    const local = keyResolver(o.keys);
    const m = o.maf;
    if (!m) {
      this.resolve = local;
      return;
    }
    const client = new MafClient({
      mafUrl: m.mafUrl,
      mafFqdn: m.mafFqdn,
      credential: { kind: 'psk', identity: m.kmId, key: m.km },
    });
    const fromMaf = mafESDataKeyResolver(client);
    this.resolve = async (kid, alg) => {
      const k = local(kid, alg);
      if (k) return k;
      // MAF Client Registration (8.8.2.3) once, before the first Key Retrieval; again after a failure.
      this.registered ??= client.registerClient({
        adminFQDN: m.adminFQDN,
        expirationTime: Date.now() + 24 * 3_600_000,
      });
      await this.registered.catch((e) => {
        this.registered = undefined;
        throw e;
      });
      return fromMaf(kid, alg);
    };
  }

  /** The opened `con` of a retrieved contentInstance with ESData, or why it was refused; else undefined. */
  async open(pc: unknown): Promise<OpenedContent | undefined> {
    const cin = (pc as { 'm2m:cin'?: { cnf?: unknown; con?: unknown } } | undefined)?.['m2m:cin'];
    if (typeof cin?.cnf !== 'string' || cin.con === undefined) return undefined;
    let serialization: number;
    try {
      serialization = parseContentInfo(cin.cnf).contentSecurity;
    } catch {
      return undefined;
    }
    if (!serialization) return undefined;
    try {
      const r = await unprotectContent(cin.con, {
        securityClass: this.o.securityClass,
        serialization: serialization as 1 | 2 | 3,
        resolve: this.resolve,
      });
      return { opened: Buffer.from(r.payload).toString('utf8') };
    } catch (e) {
      if (e instanceof EsdataError) return { openRsc: e.rsc, openCode: e.code, openError: e.message };
      return { openRsc: 0, openCode: 'ERR_ESDATA_UNAVAILABLE', openError: (e as Error).message };
    }
  }
}
