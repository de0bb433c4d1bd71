// Attribute checks of the remote security configuration <mgmtObj>s (mgd 1022..1026; TS-0001 Annex D,
// TS-0003 8.3.8, 8.3.9.9, 12.4.2; choices in docs/remote-security-config.md). A bad value is refused with
// 4000 and a message naming the attribute; nothing is stored. Keys never travel in these resources: a
// value that is, or carries, a private key is refused, and so is symmKeyValue.
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { M2MError, ResourceType, ResponseStatusCode } from '@m2msec/protocol';
import type { StoredResource } from '@m2msec/store';
import type { RequestContext } from '../request-context.js';

export const AUTHENTICATION_PROFILE = 1022;
export const MY_CERT_FILE_CRED = 1023;
export const TRUST_ANCHOR_CRED = 1024;
export const MAF_CLIENT_REG_CFG = 1025;
export const MEF_CLIENT_REG_CFG = 1026;

/** applyStatus values (docs/remote-security-config.md). */
export const APPLY_PENDING = 1;
export const APPLY_APPLIED = 2;
export const APPLY_FAILED = 3;
const STATUS = ['apst', 'aprs', 'apfp', 'aptm'];

const SUIDS = new Set([11, 12, 13, 21, 22, 23, 31, 32, 33, 41, 42, 43]);
const bad = (msg: string) => new M2MError(ResponseStatusCode.BAD_REQUEST, msg);

export const isSecurityMgd = (mgd: unknown): mgd is number =>
  typeof mgd === 'number' && mgd >= AUTHENTICATION_PROFILE && mgd <= MEF_CLIENT_REG_CFG;

const PEM_KEY = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/;

/** Whether a string is a private key: PEM, or base64 / hex of a PKCS#8, PKCS#1 or SEC1 DER key. */
export function looksLikePrivateKey(v: string): boolean {
  if (PEM_KEY.test(v)) return true;
  const compact = v.replace(/\s+/g, '');
  const candidates: Buffer[] = [];
  if (/^[A-Za-z0-9+/_-]{40,}={0,2}$/.test(compact)) candidates.push(Buffer.from(compact, 'base64'));
  if (/^([0-9a-fA-F]{2}){40,}$/.test(compact)) candidates.push(Buffer.from(compact, 'hex'));
  for (const der of candidates) {
    for (const type of ['pkcs8', 'pkcs1', 'sec1'] as const) {
      try {
        createPrivateKey({ key: der, format: 'der', type });
        return true;
      } catch {
        // not this encoding
      }
    }
  }
  return false;
}

function refusePrivateKeys(attrs: Record<string, unknown>): void {
  for (const [name, value] of Object.entries(attrs)) {
    const strings = typeof value === 'string' ? [value] : Array.isArray(value) ? value : [];
    if (strings.some((s) => typeof s === 'string' && looksLikePrivateKey(s))) {
      throw bad(`attribute '${name}' holds a private key: keys never travel in a <mgmtObj> (TS-0003 8.3.8)`);
    }
  }
}

const FINGERPRINT = /^[0-9a-f]{64}$/;
function checkFingerprint(name: string, v: unknown): void {
  if (v !== undefined && v !== null && !(typeof v === 'string' && FINGERPRINT.test(v))) {
    throw bad(`${name} must be the SHA-256 of the certificate's DER as 64 lower-case hex digits`);
  }
}

/** myCertFileContent: PEM certificates only (a chain, the device's first). */
export function parseCertificateChain(pem: string): X509Certificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  const rest = pem.replace(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g, '').trim();
  if (!blocks.length || rest) throw bad('myCertFileContent (mcfct) must hold PEM CERTIFICATE blocks and nothing else');
  return blocks.map((b, i) => {
    try {
      return new X509Certificate(b);
    } catch {
      throw bad(`myCertFileContent (mcfct): certificate ${i + 1} does not parse`);
    }
  });
}

const HOST =
  /^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

function checkValues(mgd: number, a: Record<string, unknown>): void {
  if (a.skv !== undefined && a.skv !== null) {
    throw bad(
      'symmKeyValue (skv) is not accepted: a key never travels in a <mgmtObj>; have it established by the MEF (TS-0003 8.3.5, 8.3.8) and name it in symmKeyID (skid)',
    );
  }
  if (a.suid !== undefined && !SUIDS.has(a.suid as number)) {
    throw bad(`SUID (suid) ${String(a.suid)} is not one of 11-13, 21-23, 31-33, 41-43 (TS-0003 8.3.9.9.2)`);
  }
  for (const s of (a.suids as number[] | undefined) ?? []) {
    if (!SUIDS.has(s)) throw bad(`SUIDs (suids): ${s} is not one of 11-13, 21-23, 31-33, 41-43`);
  }
  checkFingerprint('myCertFingerprint (mcfp)', a.mcfp);
  checkFingerprint('certFingerprint (cfp)', a.cfp);
  checkFingerprint('appliedFingerprint (apfp)', a.apfp);
  if (
    a.apst !== undefined &&
    a.apst !== null &&
    ![APPLY_PENDING, APPLY_APPLIED, APPLY_FAILED].includes(a.apst as number)
  ) {
    throw bad('applyStatus (apst) must be 1 (pending), 2 (applied) or 3 (failed)');
  }
  if (typeof a.turi === 'string') {
    let u: URL | undefined;
    try {
      u = new URL(a.turi);
    } catch {
      u = undefined;
    }
    if (u?.protocol !== 'https:') throw bad('URI (turi) must be an https URL (TS-0003 8.3.9.9.7: HTTPS GET)');
  }
  if (a.mcff !== undefined && a.mcff !== null && a.mcff !== 'pem') {
    throw bad("myCertFileFormat (mcff) must be 'pem' (the only format offered)");
  }
  if (typeof a.mcfct === 'string') parseCertificateChain(a.mcfct);
  for (const k of ['fqdn', 'adfq'] as const) {
    if (typeof a[k] === 'string' && !HOST.test(a[k] as string)) {
      throw bad(`${k === 'fqdn' ? 'fqdn' : 'adminFQDN (adfq)'} must be a host name (an FQDN), not a URL`);
    }
  }
  for (const k of ['hpt', 'copt', 'wspt'] as const) {
    if (a[k] === 0) throw bad(`${k} must be a port number 1..65535`);
  }
  if (mgd === MY_CERT_FILE_CRED && a.mcfct === undefined && a.mecr === undefined) {
    throw bad(
      'myCertFileCred needs myCertFileContent (mcfct) or MEFClientRegCfgID (mecr), the MEF where the device enrols',
    );
  }
}

/** TS-0003 8.3.9.9.2: the attributes the SUID needs, on the resource as it will be. */
function checkProfileConsistency(a: Record<string, unknown>): void {
  const suid = a.suid as number;
  const need = (attr: string, what: string) => {
    if (a[attr] === undefined || a[attr] === null) {
      throw bad(`SUID ${suid} needs ${what} (TS-0003 8.3.9.9.2)`);
    }
  };
  if (suid <= 13) need('skid', 'symmKeyID (skid)');
  else if (suid <= 23) {
    need('krd', 'keyRegDuration (krd)');
    need('mecr', 'MEFClientRegCfgID (mecr)');
  } else if (suid <= 33) {
    need('krd', 'keyRegDuration (krd)');
    need('macr', 'MAFClientRegCfgID (macr)');
  } else need('mcfp', 'myCertFingerprint (mcfp)');
  need('tlscs', 'TLSCiphersuites (tlscs)');
}

/** A link must name a sibling <mgmtObj> (same <node>) of the given specialization. */
async function checkLink(ctx: RequestContext, nodeRi: string, name: string, id: unknown, mgd: number): Promise<void> {
  if (id === undefined || id === null) return;
  const r = typeof id === 'string' ? await ctx.store.resources.get(id) : undefined;
  if (r?.ty !== ResourceType.mgmtObj || r.pi !== nodeRi || r.mgd !== mgd) {
    throw bad(`${name} '${String(id)}' is not the resource ID of a ${mgdName(mgd)} <mgmtObj> of the same <node>`);
  }
}

const mgdName = (mgd: number) =>
  ({ 1023: 'myCertFileCred', 1024: 'trustAnchorCred', 1025: 'MAFClientRegCfg', 1026: 'MEFClientRegCfg' })[mgd] ?? '';

async function checkLinks(ctx: RequestContext, nodeRi: string, a: Record<string, unknown>): Promise<void> {
  await checkLink(ctx, nodeRi, 'MEFClientRegCfgID (mecr)', a.mecr, MEF_CLIENT_REG_CFG);
  await checkLink(ctx, nodeRi, 'MAFClientRegCfgID (macr)', a.macr, MAF_CLIENT_REG_CFG);
  for (const t of (a.tacs as unknown[] | undefined) ?? []) {
    await checkLink(ctx, nodeRi, 'trustAnchorCredIDs (tacs)', t, TRUST_ANCHOR_CRED);
  }
}

export async function checkSecurityCreate(
  ctx: RequestContext,
  parent: StoredResource,
  attrs: Record<string, unknown>,
  resource: StoredResource,
): Promise<void> {
  const mgd = attrs.mgd as number;
  refusePrivateKeys(attrs);
  checkValues(mgd, attrs);
  if (mgd === AUTHENTICATION_PROFILE) checkProfileConsistency(attrs);
  await checkLinks(ctx, parent.ri, attrs);
  // The managed entity has not applied it yet.
  resource.apst = APPLY_PENDING;
  resource.cfgv = 1;
}

export async function checkSecurityUpdate(
  ctx: RequestContext,
  current: StoredResource,
  changes: Record<string, unknown>,
): Promise<void> {
  const mgd = current.mgd as number;
  refusePrivateKeys(changes);
  const merged: Record<string, unknown> = { ...current, ...changes };
  for (const [k, v] of Object.entries(changes)) if (v === null) delete merged[k];
  checkValues(mgd, { ...changes, ...(mgd === MY_CERT_FILE_CRED ? { mcfct: merged.mcfct, mecr: merged.mecr } : {}) });
  if (mgd === AUTHENTICATION_PROFILE) checkProfileConsistency(merged);
  await checkLinks(ctx, current.pi as string, changes);
  // A change of the configuration (not of the status the device reports) is pending again.
  const configChanged = Object.keys(changes).some(
    (k) => !STATUS.includes(k) && k !== 'cfgv' && !['lbl', 'dc', 'et', 'acpi'].includes(k),
  );
  const version = typeof current.cfgv === 'number' ? current.cfgv : 1;
  const reports = STATUS.some((k) => k in changes);
  // The race of a report with a newer configuration (docs/remote-security-config.md): a status report
  // names the configVersion it applied; a report of an older version must not mark the newer one
  // applied. UPDATEs of one resource run one at a time per CSE instance (operations/update.ts); across
  // instances sharing a store, recheck-config-version.ts repeats the check inside the writing transaction.
  if (reports && configChanged) {
    throw bad('an UPDATE either changes the configuration or reports its status (apst, aprs, apfp, aptm), not both');
  }
  if (reports) {
    if (changes.cfgv === undefined || changes.cfgv === null) {
      throw bad('a status report carries the configVersion (cfgv) it applied');
    }
    if (changes.cfgv !== version) {
      throw new M2MError(
        ResponseStatusCode.CONFLICT,
        `the report is for configVersion ${String(changes.cfgv)}, the configuration is now at ${version}: it is not recorded`,
      );
    }
  } else if (changes.cfgv !== undefined) {
    throw bad('configVersion (cfgv) is set by the CSE; an UPDATE names it only to report a status');
  }
  delete changes.cfgv;
  if (configChanged) {
    changes.cfgv = version + 1;
    changes.apst = APPLY_PENDING;
    changes.aprs = null;
    changes.aptm = null;
  }
}
