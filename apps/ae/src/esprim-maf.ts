// The AE as Originator of the MAF ESPrim Framework (TS-0003 8.4.2 A, SUID 33): configuration check, and
// the pairwiseESPrimKey it derives from the Kc of a MAF Key Registration naming the Target CSE, again when
// 90% of the registration's lifetime has passed or when the Target no longer knows the key (4112). The
// Target retrieves Kc from the MAF by the Key Identifier in the JWE `kid` (@m2msec/maf). With
// `sourceGenerated` the AE draws Kc itself and registers it at the MAF as TEF (TS-0003 8.6.3, 8.8.2.7 2.b)
// instead of the MAF Handshake's exporter Kc. Wiring only.
import { MafClient, type MafESPrimKey, registerESPrimKey, registerSourceGeneratedESPrimKey } from '@m2msec/maf';
import { clientProblem, mafClientOptions } from './esdata-maf.js';

/** endToEnd.esprim.maf in the AE's configuration file. */
export interface EsprimMafFileConfig {
  /** https://host:port of the MAF's TLS-PSK listener. */
  url: string;
  /** MAF-FQDN (SNI, Key Identifier suffix). */
  fqdn: string;
  /** KmID and the file (0600, hex) holding Km, for the MAF Handshake (8.8.2.2). */
  kmId: string;
  kmFile: string;
  /** Administrating stakeholder the AE registers under (8.8.2.3). */
  adminFQDN: string;
  /** Absolute CSE-ID of the Target (the one target of a SUID 33 registration), e.g. //m2msec.org/id-in. */
  targetID: string;
  /** Proposed key lifetime (the MAF may shorten it); default 3600. */
  lifetimeSeconds?: number;
  /** The AE generates Kc and registers its value (8.6.3, 8.8.2.7 2.b); default: the session exporter's Kc. */
  sourceGenerated?: boolean;
}

export interface EsprimMafOptions {
  mafUrl: string;
  mafFqdn: string;
  kmId: string;
  km: Uint8Array;
  adminFQDN: string;
  targetID: string;
  lifetimeMs: number;
  sourceGenerated?: boolean;
}

const MEMBERS = ['url', 'fqdn', 'kmId', 'kmFile', 'adminFQDN', 'targetID', 'lifetimeSeconds', 'sourceGenerated'];

/** A message naming what is wrong with endToEnd.esprim.maf, or undefined when it is usable. */
export function esprimMafProblem(m: unknown): string | undefined {
  if (typeof m !== 'object' || m === null) return 'endToEnd.esprim.maf must be an object';
  const c = m as Record<string, unknown>;
  const problem = clientProblem(c, 'endToEnd.esprim.maf', MEMBERS);
  if (problem) return problem;
  if (typeof c.targetID !== 'string' || !/^\/\/[^/]+\/[^/]+$/.test(c.targetID))
    return 'endToEnd.esprim.maf.targetID must be the Absolute CSE-ID of the Target, e.g. //m2msec.org/id-in';
  if (c.lifetimeSeconds !== undefined && !(Number.isInteger(c.lifetimeSeconds) && (c.lifetimeSeconds as number) > 0))
    return 'endToEnd.esprim.maf.lifetimeSeconds must be a positive integer';
  if (c.sourceGenerated !== undefined && typeof c.sourceGenerated !== 'boolean')
    return 'endToEnd.esprim.maf.sourceGenerated must be true or false';
  return undefined;
}

/** Options from the checked file configuration; Km from a file only its owner can read. */
export function esprimMafOptions(c: EsprimMafFileConfig): EsprimMafOptions {
  return {
    ...mafClientOptions(c, 'endToEnd.esprim.maf'),
    targetID: c.targetID,
    lifetimeMs: (c.lifetimeSeconds ?? 3600) * 1000,
    ...(c.sourceGenerated ? { sourceGenerated: true } : {}),
  };
}

/** The Originator's MAF ESPrim key: registered at first use, again when it is due for renewal. */
export class MafESPrimSource {
  private readonly client: MafClient;
  private registered = false;

  constructor(private readonly o: EsprimMafOptions) {
    this.client = new MafClient({
      mafUrl: o.mafUrl,
      mafFqdn: o.mafFqdn,
      credential: { kind: 'psk', identity: o.kmId, key: o.km },
    });
  }

  /** A fresh key (a new MAF Handshake and Key Registration) and the time to replace it. */
  async register(): Promise<{ key: MafESPrimKey; renewAt: number }> {
    const now = Date.now();
    try {
      if (!this.registered) {
        // MAF Client Registration (8.8.2.3) precedes Key Registration for this stakeholder.
        await this.client.registerClient({ adminFQDN: this.o.adminFQDN, expirationTime: now + 24 * 3_600_000 });
        this.registered = true;
      }
      const register = this.o.sourceGenerated ? registerSourceGeneratedESPrimKey : registerESPrimKey;
      const key = await register(this.client, {
        adminFQDN: this.o.adminFQDN,
        targetID: this.o.targetID,
        expirationTime: now + this.o.lifetimeMs,
      });
      return { key, renewAt: now + 0.9 * (key.expiresAt - now) };
    } catch (e) {
      this.registered = false; // the client registration may have lapsed at the MAF: renew it next time
      throw e;
    }
  }
}
