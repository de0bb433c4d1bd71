// Checks of untrusted request bodies. Each throws MafError('BAD_REQUEST') naming the field and what
// it must be; nothing is written before every check of a request has passed.
import { isSuid } from '@m2msec/crypto';
import { MafError } from './errors.js';

/** An Absolute CSE-ID (//SP/CSE) or Absolute AE-ID (//SP/CSE/AE, //SP/Sae) (TS-0001 7.2). */
const ABSOLUTE_ID = /^\/\/[A-Za-z0-9.-]{1,253}(\/[A-Za-z0-9._~-]{1,128}){1,2}$/;
const FQDN =
  /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
/** m2m:timestamp basic form (TS-0004 6.3.3): YYYYMMDDTHHMMSS[,ffffff]. */
const M2M_TIME = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(?:[.,](\d{1,6}))?$/;

export const MAX_LIFETIME_MS = 365 * 86_400_000;

export function bad(message: string): never {
  throw new MafError('BAD_REQUEST', message);
}

/** The body as a plain object whose attribute names are all in `allowed`. */
export function body(v: unknown, what: string, allowed: readonly string[]): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    bad(`the ${what} request body must be a JSON object (Content-Type: application/json)`);
  for (const k of Object.keys(v)) {
    if (!allowed.includes(k)) bad(`the ${what} request has an unknown attribute '${k.slice(0, 64)}'`);
  }
  return v as Record<string, unknown>;
}

export function isAbsoluteId(v: unknown): v is string {
  return typeof v === 'string' && ABSOLUTE_ID.test(v);
}

export function absoluteId(v: unknown, what: string): string {
  if (!isAbsoluteId(v)) bad(`${what} must be an Absolute AE-ID or CSE-ID (//SP-ID/CSE-ID[/AE-ID])`);
  return v;
}

export function isFqdn(v: unknown): v is string {
  return typeof v === 'string' && FQDN.test(v);
}

export function fqdn(v: unknown, what: string): string {
  if (!isFqdn(v)) bad(`${what} must be a fully qualified domain name`);
  return v;
}

/** mafFQDN must name this MAF (Tables 8.8.2.x-1). */
export function mafFqdnMatches(v: unknown, mafFqdn: string): void {
  if (typeof v !== 'string' || v.toLowerCase() !== mafFqdn.toLowerCase())
    bad(`mafFQDN must name this MAF (${mafFqdn})`);
}

/** ms since epoch of an ISO 8601 time, an m2m:timestamp or a number of ms. */
export function parseTime(v: unknown): number {
  if (typeof v === 'number') return Number.isSafeInteger(v) ? v : Number.NaN;
  if (typeof v !== 'string' || v.length > 40) return Number.NaN;
  const m = M2M_TIME.exec(v);
  if (m) {
    const [, y, mo, d, h, mi, s, f] = m;
    return Date.UTC(+y!, +mo! - 1, +d!, +h!, +mi!, +s!, f ? Math.floor(Number(`0.${f}`) * 1000) : 0);
  }
  return /^\d{4}-\d{2}-\d{2}T/.test(v) ? Date.parse(v) : Number.NaN;
}

/** A proposed expirationTime: in the future; the MAF caps it (it may assign other values, 8.8.2.3). */
export function expirationTime(v: unknown, what: string, now: number, cap = MAX_LIFETIME_MS): number {
  const t = parseTime(v);
  if (!Number.isFinite(t)) bad(`${what} must be a time (ISO 8601, m2m:timestamp or ms since epoch)`);
  if (t <= now) bad(`${what} must be in the future`);
  return Math.min(t, now + cap);
}

export function labels(v: unknown): string[] | undefined {
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || v.length > 32 || !v.every((l) => typeof l === 'string' && l.length > 0 && l.length <= 255)) {
    bad('labels must be a list of at most 32 non-empty strings of at most 255 characters');
  }
  return v as string[];
}

/** A MAF-distributed key's SUID (TS-0004 m2m:suid 32-35): the only usages the Mmaf key procedures serve. */
export function mafKeySuid(v: unknown): number {
  if (!isSuid(v)) bad('suid must be an m2m:suid number (TS-0004 Table 6.3.4.2.39-1)');
  if (v < 32 || v > 35) bad(`suid ${v} is not a MAF-distributed key (32 SAEF, 33 ESPrim, 34/35 ESData)`);
  return v;
}

/** targetIDs: exactly one for SAEF / ESPrim, 1..n for ESData (8.8.2.7 step 3). */
export function targetIds(v: unknown, suid: number): string[] {
  if (!Array.isArray(v) || v.length === 0 || v.length > 64) bad('targetIDs must be a list of 1 to 64 Absolute IDs');
  v.forEach((t, i) => {
    absoluteId(t, `targetIDs[${i}]`);
  });
  if (new Set(v).size !== v.length) bad('targetIDs must not repeat an ID');
  if ((suid === 32 || suid === 33) && v.length !== 1) {
    bad(`suid ${suid} (MAF-based SAEF / ESPrim) takes exactly one target ID`);
  }
  return v as string[];
}

/** A notification target of a registered MAF client: an http(s) URL. */
export function notificationUri(v: unknown): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v.length > 1024) bad('notificationURI must be an http or https URL');
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    bad('notificationURI must be an http or https URL');
  }
  if ((u.protocol !== 'http:' && u.protocol !== 'https:') || u.username || u.password) {
    bad('notificationURI must be an http or https URL without credentials');
  }
  return u.toString();
}

/** A RelativeKeyID as this MAF issues them: 32 lower- or upper-case hex digits (16 bytes). */
export function relativeKeyId(v: unknown): string {
  if (typeof v !== 'string' || !/^[0-9A-Fa-f]{32}$/.test(v)) bad('the RelativeKeyID must be 32 hexadecimal digits');
  return v.toLowerCase();
}

/** An optional self-generated Key Value (8.8.2.7 step 2.b): base64 of 16 to 64 bytes. */
export function keyValue(v: unknown): Buffer | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !/^[A-Za-z0-9+/]+={0,2}$/.test(v) || v.length % 4 !== 0) {
    bad('keyValue must be base64');
  }
  const k = Buffer.from(v, 'base64');
  if (k.length < 16 || k.length > 64) {
    k.fill(0);
    bad('keyValue must be 16 to 64 bytes');
  }
  return k;
}
