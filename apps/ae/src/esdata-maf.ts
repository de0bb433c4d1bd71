// The AE as Source End-Point of MAF-based ESData with a Source-generated key (TS-0003 8.6.3, 8.5.2.2.3,
// 8.8.2.7): configuration check, and the key it registers at the MAF at its first protected `con` and
// again before the registration expires. The Targets named in targetIDs retrieve it from the MAF by the
// Key Identifier in the JWE `kid` (@m2msec/maf's mafESDataKeyResolver). Wiring only.
import { readFileSync } from 'node:fs';
import type { JweRecipient } from '@m2msec/esdata';
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
  /** JWE key management: dir (default) or A256KW. */
  alg?: 'dir' | 'A256KW';
}

export interface EsdataMafOptions {
  mafUrl: string;
  mafFqdn: string;
  kmId: string;
  km: Uint8Array;
  adminFQDN: string;
  targetIDs: string[];
  lifetimeMs: number;
  alg: 'dir' | 'A256KW';
}

const MEMBERS = ['url', 'fqdn', 'kmId', 'kmFile', 'adminFQDN', 'targetIDs', 'lifetimeSeconds', 'alg'];

/** A message naming what is wrong with endToEnd.esdata.maf, or undefined when it is usable. */
export function esdataMafProblem(m: unknown): string | undefined {
  if (typeof m !== 'object' || m === null) return 'endToEnd.esdata.maf must be an object';
  const c = m as Record<string, unknown>;
  const unknown = Object.keys(c).filter((k) => !MEMBERS.includes(k));
  if (unknown.length) return `endToEnd.esdata.maf: unknown member(s) ${unknown.join(', ')} (${MEMBERS.join(', ')})`;
  if (typeof c.url !== 'string' || !c.url.startsWith('https://')) return 'endToEnd.esdata.maf.url must be an https URL';
  for (const k of ['fqdn', 'kmId', 'kmFile', 'adminFQDN'])
    if (typeof c[k] !== 'string' || c[k] === '') return `endToEnd.esdata.maf.${k} must be a non-empty string`;
  if (
    !Array.isArray(c.targetIDs) ||
    c.targetIDs.length === 0 ||
    !c.targetIDs.every((t) => typeof t === 'string' && t.startsWith('//'))
  )
    return 'endToEnd.esdata.maf.targetIDs must be a non-empty list of Absolute AE-IDs / CSE-IDs (//SP-ID/...)';
  if (c.lifetimeSeconds !== undefined && !(Number.isInteger(c.lifetimeSeconds) && (c.lifetimeSeconds as number) > 0))
    return 'endToEnd.esdata.maf.lifetimeSeconds must be a positive integer';
  if (c.alg !== undefined && c.alg !== 'dir' && c.alg !== 'A256KW')
    return 'endToEnd.esdata.maf.alg must be dir or A256KW (the ESData key is 256 bits, TS-0003 8.8.1)';
  return undefined;
}

/** Options from the checked file configuration; Km from a file only its owner can read. */
export function esdataMafOptions(c: EsdataMafFileConfig): EsdataMafOptions {
  checkSecretFileMode(c.kmFile, 'Km file (endToEnd.esdata.maf.kmFile)');
  const text = readFileSync(c.kmFile, 'utf8').trim();
  if (!/^([0-9a-fA-F]{2}){16,64}$/.test(text))
    throw new TypeError(`endToEnd.esdata.maf.kmFile ${c.kmFile} must hold 16 to 64 bytes of hex`);
  return {
    mafUrl: c.url,
    mafFqdn: c.fqdn,
    kmId: c.kmId,
    km: Buffer.from(text, 'hex'),
    adminFQDN: c.adminFQDN,
    targetIDs: [...c.targetIDs],
    lifetimeMs: (c.lifetimeSeconds ?? 3600) * 1000,
    alg: c.alg ?? 'dir',
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
    return { kid: key.kid, alg: this.o.alg, key: key.key };
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
      suid: 34,
      targetIDs: this.o.targetIDs,
      expirationTime: now + this.o.lifetimeMs,
    });
    return { key, renewAt: now + 0.9 * (key.expiresAt - now) };
  }
}
