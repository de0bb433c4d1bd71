// The Zn-like interface (3GPP TS 33.220 4.5.3, profiled for TS-0003 8.3.2.3): an authenticated NAF (the
// Enrolment Target: MAF or CSE) asks for Ks_NAF of a B-TID under its own NAF FQDN. Read-only: no request
// here changes BSF state.
import { defaultUaSecurityProtocolId, deriveKsNaf } from '@m2msec/crypto';
import { zeroise } from '../lib/bytes.js';
import { GbaError, isGbaError } from '../lib/errors.js';
import { canonicalNafFqdn, parseBtid } from '../lib/validate.js';
import { bodyAnswer, errorAnswer, type HttpAnswer } from './answer.js';
import { xsdDateTime } from './bootstrapping-info.js';
import type { BsfContext } from './context.js';
import type { BootstrapRecord, SubscriberRecord } from './records.js';

export interface ZnHttpRequest {
  readonly method: string;
  /** NAF FQDNs the caller's credential proves (lower case); undefined when it presented none that verifies. */
  readonly authenticatedNafFqdns: readonly string[] | undefined;
  readonly contentType?: string;
  readonly body: Uint8Array;
}

/** The 200 body of a Zn answer (JSON). */
export interface ZnAnswer {
  readonly btid: string;
  readonly impi: string;
  readonly enroleeId?: string;
  readonly nafFqdn: string;
  /** 10 hex digits (5 octets, TS 33.220 Annex H). */
  readonly uaSecurityProtocolId: string;
  /** Ks_NAF, base64 (32 bytes): Km / Kpsa of GBA-based RSPF under GBA_ME (TS-0003 8.3.2.3). */
  readonly ksNaf: string;
  readonly bootstrapTime: string;
  /** Ks_NAF lives as long as Ks (TS 33.220 4.5.3); TS-0003 10.7 keeps Km / Kpsa within Ke's lifetime. */
  readonly keyExpiry: string;
}

const FIELDS = new Set(['btid', 'nafFqdn', 'uaSecurityProtocolId']);
export const ZN_MEDIA_TYPE = 'application/json';

export async function handleZn(ctx: BsfContext, req: ZnHttpRequest): Promise<HttpAnswer> {
  try {
    if (req.method !== 'POST') throw new GbaError(405, 'ERR_METHOD', 'the Zn accepts POST only');
    if (req.authenticatedNafFqdns === undefined || req.authenticatedNafFqdns.length === 0) {
      throw new GbaError(
        401,
        'ERR_NAF_UNAUTHENTICATED',
        'NAF authentication required (client certificate or NAF credential over HTTPS)',
      );
    }
    const type = (req.contentType ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== ZN_MEDIA_TYPE) throw new GbaError(415, 'ERR_MEDIA_TYPE', `Content-Type must be ${ZN_MEDIA_TYPE}`);
    const q = parseBody(req.body);
    if (!req.authenticatedNafFqdns.includes(q.nafFqdn)) {
      throw new GbaError(403, 'ERR_NAF_FORBIDDEN', `the NAF credential does not cover ${q.nafFqdn}`);
    }
    if (q.bsfDomain !== ctx.bsfDomain) throw unknownBtid();
    const record = await ctx.store.collection<BootstrapRecord>(ctx.names.bootstraps).get(q.btid);
    if (!record || record.expiresAt <= ctx.now()) throw unknownBtid();
    const subscriber = await ctx.store.collection<SubscriberRecord>(ctx.names.subscribers).get(record.impi);
    if (!subscriber)
      throw new GbaError(403, 'ERR_NAF_FORBIDDEN', 'the subscriber of this B-TID is no longer provisioned');
    if (!subscriber.enrolmentTargets.includes(q.nafFqdn)) {
      // GUSS stand-in (TS-0003 8.3.2.3): the BSF distributes Ks_NAF only to configured Enrolment Targets.
      throw new GbaError(403, 'ERR_NAF_FORBIDDEN', `${q.nafFqdn} is not an Enrolment Target of this subscriber`);
    }
    const ks = await ctx.sealer.open('ks', record.btid, record.ks);
    let ksNaf: Buffer;
    try {
      ksNaf = deriveKsNaf({
        ks,
        rand: Buffer.from(record.rand, 'base64'),
        impi: record.impi,
        nafFqdn: q.nafFqdn,
        uaSecurityProtocolId: q.ua,
      });
    } finally {
      zeroise(ks);
    }
    const answer: ZnAnswer = {
      btid: record.btid,
      impi: record.impi,
      ...(subscriber.enroleeId !== undefined ? { enroleeId: subscriber.enroleeId } : {}),
      nafFqdn: q.nafFqdn,
      uaSecurityProtocolId: q.ua.toString('hex'),
      ksNaf: ksNaf.toString('base64'),
      bootstrapTime: xsdDateTime(new Date(record.bootstrapTime)),
      keyExpiry: xsdDateTime(new Date(record.expiresAt)),
    };
    zeroise(ksNaf);
    return bodyAnswer(200, ZN_MEDIA_TYPE, JSON.stringify(answer));
  } catch (e) {
    if (isGbaError(e)) {
      const extra: Record<string, string> = {};
      if (e.status === 405) extra.allow = 'POST';
      if (e.status === 401) extra['www-authenticate'] = 'Basic realm="zn", charset="UTF-8"';
      return errorAnswer(e, extra);
    }
    throw e;
  }
}

function parseBody(body: Uint8Array): { btid: string; bsfDomain: string; nafFqdn: string; ua: Buffer } {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(body).toString('utf8'));
  } catch {
    throw bad('body is not JSON');
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw bad('body must be a JSON object');
  for (const key of Object.keys(json)) if (!FIELDS.has(key)) throw bad(`unknown field "${key}"`);
  const o = json as Record<string, unknown>;
  const { bsfDomain } = parseBtid(o.btid);
  const nafFqdn = canonicalNafFqdn(o.nafFqdn, 'nafFqdn');
  let ua = defaultUaSecurityProtocolId();
  if (o.uaSecurityProtocolId !== undefined) {
    if (typeof o.uaSecurityProtocolId !== 'string' || !/^[0-9a-fA-F]{10}$/.test(o.uaSecurityProtocolId)) {
      throw bad('uaSecurityProtocolId must be 10 hex digits (5 octets, TS 33.220 Annex H)');
    }
    ua = Buffer.from(o.uaSecurityProtocolId, 'hex');
  }
  return { btid: o.btid as string, bsfDomain, nafFqdn, ua };
}

const bad = (message: string) => new GbaError(400, 'ERR_MALFORMED', message);
const unknownBtid = () => new GbaError(404, 'ERR_UNKNOWN_BTID', 'unknown or expired B-TID');
