// Administrating-stakeholder API of the MEF (Bootstrap Instruction Configuration, 8.3.2.1 / 9.2.2;
// revocation). Served on its own listener (loopback by default) behind a bearer token compared in
// constant time. Key bytes go in as hex and never come out.
//   PUT    /admin/enrolees/psk/<KpmID>        {kpm, enroleeId, targets, enrolmentExpirySeconds, ...}
//   PUT    /admin/enrolees/certificate/<SAN>  {enroleeId, targets, ...}  (certificate-based RSPF)
//   PUT    /admin/enrolees/user/<username>    {password, enroleeId, ...} (username/password option)
//   DELETE /admin/enrolees/<kind>/<id>        revoke the enrolee and all its enrolments
//   GET    /admin/enrolees
//   PUT    /admin/targets/<targetId>          {pskIdentity, key} | {certificateSan}, announceUrl?
//   GET    /admin/enrolments[?enroleeId=]     metadata only
//   DELETE /admin/enrolments/<KeID>           revoke one enrolment
//   GET    /admin/certificates[?enroleeId=]   EST certificates issued (serial, holder, validity, revocation)
//   DELETE /admin/certificates/<serial>       revoke one EST certificate ({reason}? RFC 5280 CRLReason name)
//   GET    /admin/openapi.json                this API as OpenAPI 3.1, from the schemas that check its bodies
// Every revocation is on the CRL (GET /crl) before it is acknowledged.
import { CRL_REASONS, type CrlReason, canonicalSerial } from '@m2msec/est';
import { type AdminOperation, adminOpenApi, checkBody, type EdgeRequest, type EdgeRoute } from '@m2msec/protocol';
import { RspfError } from '@m2msec/rspf';
import { digestHa1 } from '../digest/digest.js';
import { jsonAnswer, jsonBody, jsonRefusal, withBearerToken } from '../lib/edge-json.js';
import type { MefStore } from '../store/mef-store.js';
import type { EnroleeConfig } from '../store/records.js';
import { hashPassword } from '../user/password-hash.js';
import { MEF_ADMIN_OPERATIONS } from './schemas.js';

/** The admin API's version in its OpenAPI document. */
export const MEF_ADMIN_API_VERSION = '1.0.0';

const hexKey = (v: unknown, what: string): Buffer => {
  if (typeof v !== 'string' || !/^([0-9a-fA-F]{2}){16,64}$/.test(v)) {
    throw new RspfError('BAD_REQUEST', `${what} must be 16 to 64 bytes of hex`);
  }
  return Buffer.from(v, 'hex');
};

const USERNAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;

function enroleeConfig(b: Record<string, unknown>): EnroleeConfig {
  if (typeof b.enroleeId !== 'string' || !b.enroleeId) throw new RspfError('BAD_REQUEST', 'enroleeId is required');
  if (!Array.isArray(b.targets)) throw new RspfError('BAD_REQUEST', 'targets must be a list of {targetId, suid}');
  const exp = b.enrolmentExpirySeconds;
  if (!Number.isInteger(exp) || (exp as number) < 60 || (exp as number) > 10 * 365 * 86400) {
    throw new RspfError('BAD_REQUEST', 'enrolmentExpirySeconds must be an integer from 60 to 10 years');
  }
  const klt = b.keyLifetimeSeconds;
  if (klt !== undefined && (!Number.isInteger(klt) || (klt as number) < 1)) {
    throw new RspfError('BAD_REQUEST', 'keyLifetimeSeconds must be a positive integer');
  }
  const sans = b.subjectAltNames;
  if (sans !== undefined && (!Array.isArray(sans) || !sans.every((s) => typeof s === 'string'))) {
    throw new RspfError('BAD_REQUEST', 'subjectAltNames must be a list of URI / DNS values');
  }
  return {
    enroleeId: b.enroleeId,
    targets: b.targets as EnroleeConfig['targets'],
    enrolmentExpirySeconds: exp as number,
    ...(klt !== undefined ? { keyLifetimeSeconds: klt as number } : {}),
    ...(b.certificateEnrolment === true ? { certificateEnrolment: true } : {}),
    ...(sans ? { subjectAltNames: sans as string[] } : {}),
    ...(typeof b.remoteManagementUri === 'string' ? { remoteManagementUri: b.remoteManagementUri } : {}),
    ...(typeof b.group === 'string' && b.group ? { group: b.group } : {}),
    ...(b.clientConfiguration && typeof b.clientConfiguration === 'object'
      ? { clientConfiguration: b.clientConfiguration as Record<string, unknown> }
      : {}),
  };
}

export interface AdminRouterOptions {
  token: string;
  digestRealm: string;
  /** After a user's password was set: its lock-out is cleared. */
  afterUserChange?: (username: string) => Promise<void>;
  /** Runs after a revocation committed and before it is acknowledged (the CRL is regenerated). */
  afterRevocation?: () => Promise<unknown>;
  /** Operations served beside this API on the admin listener (the GBA subscribers), in its OpenAPI document. */
  moreOperations?: readonly AdminOperation[];
  /**
   * Receives the lifecycle line of each administrative revocation once the store committed it, before the
   * CRL is regenerated (issue 19 item 2):
   * identifiers only (principal, KeID, serial), never a key.
   */
  lifecycle?: (message: string, fields: Record<string, unknown>) => void;
}

/** The shape every revocation line shares: a key event decided by the administrating stakeholder. */
const REVOKED = { kind: 'lifecycle', event: 'key-revoked', by: 'admin' } as const;

/** A request of the admin API: the edge's, with the JSON body parsed. */
type AdminRequest = EdgeRequest & { json: Record<string, unknown> | undefined };

/** The admin API as routes of the shared HTTP edge, behind the bearer token. */
export function adminRoutes(store: MefStore, o: AdminRouterOptions): EdgeRoute[] {
  const routes: EdgeRoute[] = [];
  const route =
    (method: string, path: string) =>
    (fn: (req: AdminRequest) => Promise<unknown>, status = 200): void => {
      // Every route is in MEF_ADMIN_OPERATIONS (a missing one stops the MEF at start); its body schema is
      // checked before the handler, so the published document is what is enforced.
      const op = MEF_ADMIN_OPERATIONS.find((a) => a.method === method && a.path === path);
      if (!op) throw new Error(`admin route ${method} ${path} is not in MEF_ADMIN_OPERATIONS (admin/schemas.ts)`);
      routes.push({
        method,
        path,
        maxBodyBytes: 64 * 1024,
        async handle(req) {
          // A body that is no JSON is refused by the edge (400) before the procedure runs.
          const json = jsonBody(req) as Record<string, unknown> | undefined;
          try {
            const refused = op.body ? checkBody(op.body, json ?? {}) : undefined;
            if (refused) throw new RspfError('BAD_REQUEST', refused);
            return jsonAnswer(status, (await fn({ ...req, json })) ?? {});
          } catch (e) {
            return jsonRefusal(e);
          }
        },
      });
    };
  const summary = (rec: { principal: string; enroleeId: string; targets: unknown }) => ({
    principal: rec.principal,
    enroleeId: rec.enroleeId,
    targets: rec.targets,
  });

  route(
    'PUT',
    '/admin/enrolees/psk/:kpmId',
  )(async (req) => {
    const kpm = hexKey(req.json?.kpm, 'kpm');
    try {
      return summary(
        await store.putEnrolee(`psk:${req.params.kpmId}`, enroleeConfig(req.json as Record<string, unknown>), { kpm }),
      );
    } finally {
      kpm.fill(0);
    }
  });
  route(
    'PUT',
    '/admin/enrolees/certificate/:san',
  )(async (req) =>
    summary(await store.putEnrolee(`cert:${req.params.san}`, enroleeConfig(req.json as Record<string, unknown>))),
  );
  route(
    'PUT',
    '/admin/enrolees/user/:username',
  )(async (req) => {
    const pw = req.json?.password;
    const username = String(req.params.username);
    // The username may become a certificate subject (CN=<username>): no RFC 4514 special characters.
    if (!USERNAME.test(username)) {
      throw new RspfError('BAD_REQUEST', 'a username is 1-64 letters, digits, . _ @ - (starting alphanumeric)');
    }
    if (typeof pw !== 'string' || pw.length < 8)
      throw new RspfError('BAD_REQUEST', 'password needs 8 characters or more');
    const config = enroleeConfig(req.json as Record<string, unknown>);
    const ha1 = digestHa1(username, o.digestRealm, pw);
    const passwordHash = await hashPassword(pw);
    try {
      const rec = await store.putEnrolee(`user:${username}`, config, { ha1, passwordHash });
      await o.afterUserChange?.(username);
      return summary(rec);
    } finally {
      ha1.fill(0);
    }
  });
  route(
    'DELETE',
    '/admin/enrolees/:kind/:id',
  )(async (req) => {
    const prefix = { psk: 'psk', certificate: 'cert', user: 'user' }[String(req.params.kind)];
    if (!prefix) throw new RspfError('BAD_REQUEST', 'kind must be psk, certificate or user');
    const principal = `${prefix}:${req.params.id}`;
    const revokedEnrolments = await store.revokeEnrolee(principal);
    o.lifecycle?.('enrolee revoked', { ...REVOKED, principal, revokedEnrolments });
    await o.afterRevocation?.();
    return { revokedEnrolments };
  });
  route(
    'GET',
    '/admin/enrolees',
  )(async (req) => {
    const { limit, offset } = page(req.query);
    return (await store.enrolees.list('', limit, offset)).map(({ value }) => summary(value));
  });
  route(
    'PUT',
    '/admin/targets/:targetId',
  )(async (req) => {
    const b = req.json ?? {};
    const targetId = String(req.params.targetId);
    if (typeof b.pskIdentity !== 'string' && typeof b.certificateSan !== 'string') {
      throw new RspfError('BAD_REQUEST', 'a target authenticates with {pskIdentity, key} or {certificateSan}');
    }
    const key = typeof b.pskIdentity === 'string' ? hexKey(b.key, 'key') : undefined;
    try {
      await store.putTarget(
        {
          targetId,
          ...(typeof b.pskIdentity === 'string' ? { pskIdentity: b.pskIdentity } : {}),
          ...(typeof b.certificateSan === 'string' ? { certificateSan: b.certificateSan } : {}),
          ...(typeof b.announceUrl === 'string' ? { announceUrl: b.announceUrl } : {}),
        },
        key,
      );
    } finally {
      key?.fill(0);
    }
    return { targetId };
  });
  route(
    'GET',
    '/admin/enrolments',
  )(async (req) => {
    // By Enrolee-ID: the enrolments index; otherwise a page (limit / offset) or everything.
    const enroleeId = req.query.get('enroleeId');
    const { limit, offset } = page(req.query);
    const rows = enroleeId
      ? (await store.enrolments.find('enroleeId', enroleeId)).slice(
          offset ?? 0,
          limit === undefined ? undefined : (offset ?? 0) + limit,
        )
      : await store.enrolments.list('', limit, offset);
    return rows.map(({ value: { sealedKe: _sealed, ...meta } }) => meta);
  });
  route(
    'DELETE',
    '/admin/enrolments/:keId',
  )(async (req) => {
    const keId = String(req.params.keId);
    await store.revokeEnrolment(keId);
    o.lifecycle?.('enrolment revoked', { ...REVOKED, keId });
    return { revoked: keId };
  });
  route(
    'GET',
    '/admin/certificates',
  )(async (req) => {
    const { limit, offset } = page(req.query);
    return (await store.issued.list('', limit, offset))
      .map(({ value }) => value)
      .filter((c) => !req.query.get('enroleeId') || c.enroleeId === req.query.get('enroleeId'));
  });
  route(
    'DELETE',
    '/admin/certificates/:serial',
  )(async (req) => {
    let serial: string;
    try {
      serial = canonicalSerial(String(req.params.serial));
    } catch {
      throw new RspfError('BAD_REQUEST', 'the serial number must be 1 to 40 hex digits');
    }
    const reason = String(req.json?.reason ?? 'unspecified');
    if (!(CRL_REASONS as readonly string[]).includes(reason)) {
      throw new RspfError('BAD_REQUEST', `reason must be one of ${CRL_REASONS.join(', ')}`);
    }
    const rec = await store.revokeCertificate(serial, reason as CrlReason);
    o.lifecycle?.('certificate revoked', {
      ...REVOKED,
      serialNumber: rec.serialNumber,
      holder: rec.holder,
      reason: rec.reason,
    });
    await o.afterRevocation?.();
    return { revoked: rec.serialNumber, revokedAt: new Date(rec.revokedAt!).toISOString(), reason: rec.reason };
  });
  route(
    'GET',
    '/admin/openapi.json',
  )(async () =>
    adminOpenApi({
      title: 'MEF admin API',
      version: MEF_ADMIN_API_VERSION,
      description:
        'Administrating-stakeholder API of the reference MEF (TS-0003 8.3.2.1, 9.2.2): enrolees, Enrolment ' +
        'Targets, enrolments and EST certificates, revocation. Keys and passwords go in and never come out.',
      operations: [...MEF_ADMIN_OPERATIONS, ...(o.moreOperations ?? [])],
    }),
  );
  return withBearerToken(o.token, routes);
}

/**
 * Optional paging of admin listings (docs/storage.md): `limit` (1..10000) and `offset` (>= 0), in key
 * order. Without them a listing returns everything, as before.
 */
function page(q: URLSearchParams): { limit?: number; offset?: number } {
  const num = (name: string, min: number, max: number): number | undefined => {
    const v = q.get(name);
    if (v === null) return undefined;
    const n = /^[0-9]{1,9}$/.test(v) ? Number(v) : Number.NaN;
    if (!(n >= min && n <= max)) throw new RspfError('BAD_REQUEST', `${name} must be an integer in ${min}..${max}`);
    return n;
  };
  const limit = num('limit', 1, 10_000);
  const offset = num('offset', 0, 1e9);
  return { ...(limit !== undefined ? { limit } : {}), ...(offset !== undefined ? { offset } : {}) };
}
