// The AE as Source End-Point of MAF-based ESData with a Source-generated key (TS-0003 8.6.3, 8.5.2.2.3,
// 8.8.2.7): configuration check, and the key it registers at the MAF at its first protected `con` and
// again before the registration expires. The Targets named in targetIDs retrieve it from the MAF by the
// Key Identifier in the JWE `kid` (@m2msec/maf's mafESDataKeyResolver). Wiring only.
import { readFileSync } from 'node:fs';
import type { EsdataJweAlg, EsdataJwsAlg, JweRecipient, JwsSigner } from '@m2msec/esdata';
import { MafClient, type MafESDataKey, registerESDataKey } from '@m2msec/maf';
import { checkSecretFileMode } from '@m2msec/secure-environment';

/** endToEnd.esdata.maf in the AE's configuration file. */
export interface EsdataMafFileConfig {
  /** https://host:port of the MAF's TLS-PSK listener. */
  url: string;
  /** MAF-FQDN (SNI, Key Identifier suffix). */
  fqdn: string;
  /** KmID and the file (0600, hex) holding Km, for the MAF Handshake (8.8.2.2). */
  kmId: string;
  kmFile: string;
  /** Administrating stakeholder the AE registers under (8.8.2.3). */
  adminFQDN: string;
  /** Absolute AE-IDs / CSE-IDs of the Target End-Points allowed to retrieve the key. */
  targetIDs: string[];
  /** Proposed key lifetime (the MAF may shorten it); default 3600. */
  lifetimeSeconds?: number;
  /** JWE key management dir (default) or A256KW; with usage sign, HS256 (default), HS384 or HS512. */
  alg?: MafESDataAlg;
  /** encrypt (SUID 34, default): con is a JWE; sign (SUID 35): con is an HMAC JWS (signature-only class). */
  usage?: 'encrypt' | 'sign';
}

export type MafESDataAlg = 'dir' | 'A256KW' | 'HS256' | 'HS384' | 'HS512';

export interface EsdataMafOptions {
  mafUrl: string;
  mafFqdn: string;
  kmId: string;
  km: Uint8Array;
  adminFQDN: string;
  targetIDs: string[];
  lifetimeMs: number;
  alg: MafESDataAlg;
  usage: 'encrypt' | 'sign';
}

const MEMBERS = ['url', 'fqdn', 'kmId', 'kmFile', 'adminFQDN', 'targetIDs', 'lifetimeSeconds', 'alg', 'usage'];
const TARGET_MEMBERS = ['url', 'fqdn', 'kmId', 'kmFile', 'adminFQDN'];

/** endToEnd.esdataTarget.maf: the Target's own MAF client (it registers, then retrieves keys by kid). */
export type EsdataMafTargetFileConfig = Pick<EsdataMafFileConfig, 'url' | 'fqdn' | 'kmId' | 'kmFile' | 'adminFQDN'>;

/** A message naming what is wrong with a MAF client section, or undefined when it is usable. */
export function clientProblem(c: Record<string, unknown>, where: string, members: string[]): string | undefined {
  const unknown = Object.keys(c).filter((k) => !members.includes(k));
  if (unknown.length) return `${where}: unknown member(s) ${unknown.join(', ')} (${members.join(', ')})`;
  if (typeof c.url !== 'string' || !c.url.startsWith('https://')) return `${where}.url must be an https URL`;
  for (const k of ['fqdn', 'kmId', 'kmFile', 'adminFQDN'])
    if (typeof c[k] !== 'string' || c[k] === '') return `${where}.${k} must be a non-empty string`;
  return undefined;
}

export function esdataMafTargetProblem(m: unknown): string | undefined {
  if (typeof m !== 'object' || m === null) return 'endToEnd.esdataTarget.maf must be an object';
  return clientProblem(m as Record<string, unknown>, 'endToEnd.esdataTarget.maf', TARGET_MEMBERS);
}

/** Km of a MAF client section, from a file only its owner can read. */
export function kmFromFile(path: string, what: string): Buffer {
  checkSecretFileMode(path, what);
  const text = readFileSync(path, 'utf8').trim();
  if (!/^([0-9a-fA-F]{2}){16,64}$/.test(text)) throw new TypeError(`${what} ${path} must hold 16 to 64 bytes of hex`);
  return Buffer.from(text, 'hex');
}

/** A message naming what is wrong with endToEnd.esdata.maf, or undefined when it is usable. */
export function esdataMafProblem(m: unknown): string | undefined {
  if (typeof m !== 'object' || m === null) return 'endToEnd.esdata.maf must be an object';
  const c = m as Record<string, unknown>;
  const problem = clientProblem(c, 'endToEnd.esdata.maf', MEMBERS);
  if (problem) return problem;
  if (
    !Array.isArray(c.targetIDs) ||
    c.targetIDs.length === 0 ||
    !c.targetIDs.every((t) => typeof t === 'string' && t.startsWith('//'))
  )
    return 'endToEnd.esdata.maf.targetIDs must be a non-empty list of Absolute AE-IDs / CSE-IDs (//SP-ID/...)';
  if (c.lifetimeSeconds !== undefined && !(Number.isInteger(c.lifetimeSeconds) && (c.lifetimeSeconds as number) > 0))
    return 'endToEnd.esdata.maf.lifetimeSeconds must be a positive integer';
  if (c.usage !== undefined && c.usage !== 'encrypt' && c.usage !== 'sign')
    return 'endToEnd.esdata.maf.usage must be encrypt (SUID 34) or sign (SUID 35)';
  const algs = c.usage === 'sign' ? ['HS256', 'HS384', 'HS512'] : ['dir', 'A256KW'];
  if (c.alg !== undefined && !algs.includes(c.alg as string))
    return `endToEnd.esdata.maf.alg must be ${algs.join(' or ')} for usage ${c.usage ?? 'encrypt'} (the ESData key is 256 bits, TS-0003 8.8.1)`;
  return undefined;
}

/** The MAF client part of a checked section (`where` names it); Km from a file only its owner can read. */
export function mafClientOptions(
  c: EsdataMafTargetFileConfig,
  where: string,
): Pick<EsdataMafOptions, 'mafUrl' | 'mafFqdn' | 'kmId' | 'km' | 'adminFQDN'> {
  return {
    mafUrl: c.url,
    mafFqdn: c.fqdn,
    kmId: c.kmId,
    km: kmFromFile(c.kmFile, `Km file (${where}.kmFile)`),
    adminFQDN: c.adminFQDN,
  };
}

/** Options from the checked file configuration; Km from a file only its owner can read. */
export function esdataMafOptions(c: EsdataMafFileConfig): EsdataMafOptions {
  return {
    ...mafClientOptions(c, 'endToEnd.esdata.maf'),
    targetIDs: [...c.targetIDs],
    lifetimeMs: (c.lifetimeSeconds ?? 3600) * 1000,
    alg: c.alg ?? (c.usage === 'sign' ? 'HS256' : 'dir'),
    usage: c.usage ?? 'encrypt',
  };
}

/** The Source's registered ESData key: registered at first use, again when 90% of its lifetime has passed. */
export class MafESDataSource {
  private readonly client: MafClient;
  private current: Promise<{ key: MafESDataKey; renewAt: number }> | undefined;
  private registered = false;

  constructor(private readonly o: EsdataMafOptions) {
    this.client = new MafClient({
      mafUrl: o.mafUrl,
      mafFqdn: o.mafFqdn,
      credential: { kind: 'psk', identity: o.kmId, key: o.km },
    });
  }

  get usage(): 'encrypt' | 'sign' {
    return this.o.usage;
  }

  /** usage sign: the HMAC signer under the registered key. */
  async signer(): Promise<JwsSigner> {
    const { kid, key } = await this.recipient();
    return { kid, alg: this.o.alg as EsdataJwsAlg, key };
  }

  async recipient(): Promise<JweRecipient> {
    const now = Date.now();
    let c = this.current;
    if (c) {
      const held = await c.catch(() => undefined);
      if (!held || held.renewAt <= now) c = undefined;
    }
    if (!c) {
      c = this.register();
      this.current = c;
    }
    const { key } = await c;
    return { kid: key.kid, alg: this.o.alg as EsdataJweAlg, key: key.key };
  }

  private async register(): Promise<{ key: MafESDataKey; renewAt: number }> {
    try {
      return await this.registerOnce();
    } catch (e) {
      this.registered = false; // the client registration may have lapsed at the MAF: renew it next time
      throw e;
    }
  }

  private async registerOnce(): Promise<{ key: MafESDataKey; renewAt: number }> {
    const now = Date.now();
    if (!this.registered) {
      // MAF Client Registration (8.8.2.3) precedes Key Registration for this stakeholder.
      await this.client.registerClient({ adminFQDN: this.o.adminFQDN, expirationTime: now + 24 * 3_600_000 });
      this.registered = true;
    }
    const key = await registerESDataKey(this.client, {
      adminFQDN: this.o.adminFQDN,
      suid: this.o.usage === 'sign' ? 35 : 34,
      targetIDs: this.o.targetIDs,
      expirationTime: now + this.o.lifetimeMs,
    });
    return { key, renewAt: now + 0.9 * (key.expiresAt - now) };
  }
}
