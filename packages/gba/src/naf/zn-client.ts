// The NAF (Enrolment Target: MAF or CSE) side of the Zn: fetch Ks_NAF for a B-TID from the BSF over HTTPS,
// authenticated by a client certificate (in the https.Agent) or by a pre-shared NAF credential (HTTP Basic).
import type { Agent } from 'node:https';
import { defaultUaSecurityProtocolId } from '@m2msec/crypto';
import type { ZnAnswer } from '../bsf/handle-zn.js';
import { GbaError } from '../lib/errors.js';
import { httpRequest } from '../lib/http-request.js';
import { canonicalNafFqdn, parseBtid } from '../lib/validate.js';

export interface ZnClientOptions {
  /** The BSF's Zn mount point, https only (e.g. https://bsf.example.com:8443/zn). */
  readonly url: string | URL;
  /** This NAF's FQDN: the MAF FQDN, or the CSE-ID in public domain name form (TS-0003 8.3.2.3). */
  readonly nafFqdn: string;
  /** https.Agent carrying the BSF CA and, for certificate authentication, this NAF's certificate and key. */
  readonly agent?: Agent;
  /** Pre-shared NAF credential, sent as Basic nafFqdn:credential. */
  readonly credential?: string;
  /** Default 01 00 01 00 AE: must match what the UE uses. */
  readonly uaSecurityProtocolId?: Uint8Array;
  readonly timeoutMs?: number;
}

/** Ks_NAF as the NAF holds it: Km / Kpsa with KmID / KpsaID = B-TID (TS-0003 8.3.2.3). */
export interface NafKey {
  readonly btid: string;
  readonly impi: string;
  readonly enroleeId?: string;
  readonly nafFqdn: string;
  readonly ksNaf: Buffer;
  readonly bootstrapTime: Date;
  readonly keyExpiry: Date;
}

export class ZnClient {
  readonly nafFqdn: string;
  readonly #url: URL;
  readonly #options: ZnClientOptions;
  readonly #ua: Buffer;

  constructor(options: ZnClientOptions) {
    const base = new URL(options.url);
    if (base.protocol !== 'https:') throw new GbaError(400, 'ERR_PROTOCOL', 'the Zn carries keys: use an https URL');
    this.#url = new URL(`${base.pathname.replace(/\/$/, '')}/ks-naf`, base);
    this.nafFqdn = canonicalNafFqdn(options.nafFqdn);
    this.#options = options;
    this.#ua = Buffer.from(options.uaSecurityProtocolId ?? defaultUaSecurityProtocolId());
    if (this.#ua.length !== 5) throw new GbaError(400, 'ERR_MALFORMED', 'uaSecurityProtocolId must be 5 bytes');
  }

  async fetchKsNaf(btid: string): Promise<NafKey> {
    parseBtid(btid);
    const body = Buffer.from(
      JSON.stringify({ btid, nafFqdn: this.nafFqdn, uaSecurityProtocolId: this.#ua.toString('hex') }),
    );
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
    if (this.#options.credential !== undefined) {
      headers.authorization = `Basic ${Buffer.from(`${this.nafFqdn}:${this.#options.credential}`).toString('base64')}`;
    }
    const r = await httpRequest(this.#url, {
      method: 'POST',
      headers,
      body,
      ...(this.#options.agent ? { agent: this.#options.agent } : {}),
      ...(this.#options.timeoutMs ? { timeoutMs: this.#options.timeoutMs } : {}),
    });
    if (r.status !== 200) {
      const text = r.body.toString('utf8').split('\n')[0]!.slice(0, 200);
      const code =
        r.status === 404
          ? 'ERR_UNKNOWN_BTID'
          : r.status === 401
            ? 'ERR_NAF_UNAUTHENTICATED'
            : r.status === 403
              ? 'ERR_NAF_FORBIDDEN'
              : 'ERR_PROTOCOL';
      throw new GbaError(r.status, code, `BSF Zn answered ${r.status}: ${text}`);
    }
    let a: ZnAnswer;
    try {
      a = JSON.parse(r.body.toString('utf8')) as ZnAnswer;
    } catch {
      throw new GbaError(502, 'ERR_PROTOCOL', 'Zn answer is not JSON');
    }
    const ksNaf = typeof a.ksNaf === 'string' ? Buffer.from(a.ksNaf, 'base64') : Buffer.alloc(0);
    const keyExpiry = new Date(a.keyExpiry);
    if (
      a.btid !== btid ||
      a.nafFqdn !== this.nafFqdn ||
      ksNaf.length !== 32 ||
      Number.isNaN(keyExpiry.getTime()) ||
      typeof a.impi !== 'string'
    ) {
      ksNaf.fill(0);
      throw new GbaError(
        502,
        'ERR_PROTOCOL',
        'Zn answer does not match the request (B-TID, NAF, Ks_NAF length or expiry)',
      );
    }
    return {
      btid,
      impi: a.impi,
      ...(a.enroleeId !== undefined ? { enroleeId: a.enroleeId } : {}),
      nafFqdn: a.nafFqdn,
      ksNaf,
      bootstrapTime: new Date(a.bootstrapTime),
      keyExpiry,
    };
  }
}
