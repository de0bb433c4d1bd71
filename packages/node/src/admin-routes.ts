// Admin-side routes beside the oneM2M binding: the audit log for administrators (GET
// /.well-known/m2msec/audit, @m2msec/administration decides who may read it), DerivedKey revocations a
// trust anchor sends (POST /.well-known/m2msec/dk-revocation, JSON body authenticated by its MAC under
// K_RS-TA, so any listener may carry it), MEF / MAF key announcements, and
// DELETE /.well-known/m2msec/credentials/psk/<KpsaID>: revokes a Kpsa while the CSE runs (key, binding,
// live sessions; docs/certificate-lifecycle.md), for an administrator principal proven by its association
// only, never on the plain listener. Routes of the shared HTTP edge, dispatched before the binding (dispatch.ts).
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { AUDIT_PATH, auditLogReader } from '@m2msec/administration';
import type { Cse } from '@m2msec/cse';
import { handleMafKeyNotification, MAF_KEY_NOTIFICATION_PATH } from '@m2msec/maf';
import {
  type BodySchema,
  checkBody,
  type EdgeRequest,
  type EdgeResponse,
  type EdgeRoute,
  parseOriginator,
  type TransportContext,
  toSpRelativeOriginator,
} from '@m2msec/protocol';
import { handleKeyAnnouncement, KEY_ANNOUNCEMENT_PATH } from '@m2msec/rspf';
import { associationTransportContext } from '@m2msec/security-association';
import type { Logger } from 'pino';
import { IN_CSE_ADMIN_OPERATIONS, inCseAdminOpenApi, OPENAPI_PATH } from './admin-openapi.js';
import type { InCseAdministration } from './administration.js';
import { EXPLAIN_PATH, explainRoute } from './explain-route.js';
import { jsonAnswer, jsonBody, queryObject } from './json-body.js';
import { type InCseSecurity, UnknownCredentialError } from './security.js';

export const DK_REVOCATION_PATH = '/.well-known/m2msec/dk-revocation';
export const CREDENTIALS_PATH = '/.well-known/m2msec/credentials';
export const SESSIONS_PATH = '/.well-known/m2msec/sessions';

/**
 * What the connection proved, as the CSE's bindings would say it (plain: the peer address only). A TLS
 * session the security-association function did not admit proves nothing: a context without peer, TLS or
 * association (no administrator, not even the development profile's loopback one).
 */
export function adminTransportOf(security: InCseSecurity): (req: IncomingMessage) => TransportContext {
  const tlsContext = associationTransportContext({ registry: security.registry, bindings: security.bindings });
  return (req) => {
    if (!(req.socket as TLSSocket).encrypted) return { binding: 'http', peerAddress: req.socket.remoteAddress ?? '' };
    try {
      return tlsContext(req);
    } catch {
      return { binding: 'http' };
    }
  };
}

export function adminRoutes(
  security: InCseSecurity,
  administration: InCseAdministration,
  idContext: { spId: string; cseId: string },
  log: Logger,
  cse?: Pick<Cse, 'explainAccess'>,
): EdgeRoute[] {
  const origin = ['x-m2m-origin'];
  // The audit log, for administrators only (docs/administration.md).
  const readAuditLog = auditLogReader({ ...administration, idContext });
  /** The administrator proven by the request's association (never the plain listener), or the 403 answer. */
  const credentialAdministrator = (
    req: EdgeRequest,
    what: string,
  ): { originator: string; name: string } | EdgeResponse => {
    let originator = '';
    try {
      originator = toSpRelativeOriginator(parseOriginator(req.headers['x-m2m-origin'] ?? ''), idContext);
    } catch {
      /* no administrator */
    }
    const admin = req.transport.association
      ? administration.administrators.administratorOf(originator, req.transport)
      : undefined;
    if (admin?.via !== 'credential') {
      administration.authenticationFailure({
        channel: 'admin-api',
        originator,
        reason: `${what} without an administrator association`,
      });
      return jsonAnswer(403, { error: `${what} needs a security association bound to an administrator` });
    }
    return { originator, name: admin.principal.name };
  };
  const refused = (a: { originator: string; name: string } | EdgeResponse): a is EdgeResponse => !('name' in a);
  /** The body's refusal by the schema its OpenAPI document publishes (admin-openapi.ts), or undefined. */
  const badBody = (path: string, body: unknown): EdgeResponse | undefined => {
    const schema = IN_CSE_ADMIN_OPERATIONS.find((o) => o.method === 'POST' && o.path === path)?.body as BodySchema;
    const refusal = checkBody(schema, body);
    return refusal === undefined ? undefined : jsonAnswer(400, { error: refusal });
  };
  const routes: EdgeRoute[] = [
    {
      method: 'GET',
      path: AUDIT_PATH,
      headers: origin,
      async handle(req) {
        const answer = await readAuditLog({
          from: req.headers['x-m2m-origin'] ?? '',
          transport: req.transport,
          query: queryObject(req.query),
        });
        if (answer.status === 200) log.info({ path: AUDIT_PATH }, 'audit log read');
        return jsonAnswer(answer.status, answer.body);
      },
    },
    {
      method: 'POST',
      path: DK_REVOCATION_PATH,
      maxBodyBytes: 64 * 1024,
      async handle(req) {
        if (!security.derivedKey) return jsonAnswer(404, { error: 'DerivedKey mode is not enabled' });
        const body = jsonBody(req);
        const bad = badBody(DK_REVOCATION_PATH, body);
        if (bad) return bad;
        try {
          const revoked = await security.derivedKey.applyRevocation(body);
          log.info({ revoked: revoked.map(String) }, 'DerivedKey revocation applied');
          return jsonAnswer(200, { revoked: revoked.map(String) });
        } catch (e) {
          return jsonAnswer(400, { error: (e as Error).message });
        }
      },
    },
    // The decision explainer for the console (explain-route.ts): administrators on their association only.
    {
      method: 'GET',
      path: EXPLAIN_PATH,
      headers: origin,
      async handle(req) {
        if (!cse) return jsonAnswer(404, { error: 'no CSE behind this admin surface' });
        const caller = credentialAdministrator(req, 'explaining an access decision');
        if (refused(caller)) return caller;
        const answer = await explainRoute(cse, queryObject(req.query));
        // A oneM2M refusal carries its rsc; the edge sends X-M2M-RSC and the TS-0009 status for it.
        if (answer.rsc !== undefined) return { ...jsonAnswer(200, answer.body), status: undefined, rsc: answer.rsc };
        return jsonAnswer(answer.status ?? 200, answer.body);
      },
    },
    // Live security associations and the Kpsa credentials, read-only, for the console (docs/console.md):
    // identifiers and facts only, never key material.
    {
      method: 'GET',
      path: SESSIONS_PATH,
      headers: origin,
      async handle(req) {
        const caller = credentialAdministrator(req, 'reading the live sessions');
        if (refused(caller)) return caller;
        return jsonAnswer(200, {
          sessions: security.registry.live().map((a) => ({
            credentialId: a.credentialId,
            framework: a.framework,
            pskIdentity: a.pskIdentity,
            provenIds: a.provenIds,
            boundIds: security.bindings.boundIdsSync(a.credentialId),
            certificate: a.peerCertificate
              ? { subjectAltNames: a.peerCertificate.subjectAltNames, fingerprint256: a.peerCertificate.fingerprint256 }
              : undefined,
            peerAddress: a.peerAddress,
            establishedAt: new Date(a.establishedAt).toISOString(),
            expiresAt: a.expiresAt === undefined ? undefined : new Date(a.expiresAt).toISOString(),
          })),
        });
      },
    },
    {
      method: 'GET',
      path: `${CREDENTIALS_PATH}/psk`,
      headers: origin,
      async handle(req) {
        const caller = credentialAdministrator(req, 'listing the PSK credentials');
        if (refused(caller)) return caller;
        const psk = security.credentials
          .list({ kind: 'Kpsa' })
          .filter((r) => !r.credentialId.startsWith('DKTA.'))
          .map((r) => ({
            credentialId: `12-${r.credentialId}`,
            keyId: r.credentialId,
            boundIds: security.bindings.boundIdsSync(`12-${r.credentialId}`),
            createdAt: new Date(r.createdAt).toISOString(),
            expiresAt: r.expiresAt === undefined ? undefined : new Date(r.expiresAt).toISOString(),
          }));
        return jsonAnswer(200, { psk });
      },
    },
    {
      method: 'DELETE',
      path: `${CREDENTIALS_PATH}/psk/:keyId`,
      headers: origin,
      async handle(req) {
        const caller = credentialAdministrator(req, 'credential revocation');
        if (refused(caller)) return caller;
        const { originator } = caller;
        const keyId = req.params.keyId!;
        try {
          const associations = await security.revokePsk(keyId);
          await administration.audit.record({
            kind: 'administrative-action',
            channel: 'admin-api',
            originator,
            administrator: caller.name,
            to: `${CREDENTIALS_PATH}/psk/12-${keyId}`,
            reason: 'PSK credential revoked',
          });
          return jsonAnswer(200, { revoked: `12-${keyId}`, associations });
        } catch (e) {
          if (e instanceof UnknownCredentialError) return jsonAnswer(404, { error: 'no such PSK credential' });
          log.error({ err: (e as Error).name }, 'credential revocation failed');
          return jsonAnswer(500, { error: 'credential revocation failed' });
        }
      },
    },
    // MEF notification / enrolee announcement of a KeID (docs/mef.md): starts the key fetch.
    {
      method: 'POST',
      path: KEY_ANNOUNCEMENT_PATH,
      maxBodyBytes: 4 * 1024,
      async handle(req) {
        if (!security.rspfKeys) return jsonAnswer(404, { error: 'this CSE is not an Enrolment Target of a MEF' });
        const bad = badBody(KEY_ANNOUNCEMENT_PATH, jsonBody(req));
        if (bad) return bad;
        const r = await handleKeyAnnouncement(security.rspfKeys, jsonBody(req));
        return jsonAnswer(r.status, r.body);
      },
    },
    // The MAF's announcement of a key registered for this CSE (docs/maf.md): retrieve it, answer when held.
    {
      method: 'POST',
      path: MAF_KEY_NOTIFICATION_PATH,
      maxBodyBytes: 4 * 1024,
      async handle(req) {
        if (!security.maf) return jsonAnswer(404, { error: 'this CSE is not a MAF client' });
        const bad = badBody(MAF_KEY_NOTIFICATION_PATH, jsonBody(req));
        if (bad) return bad;
        const r = await handleMafKeyNotification(security.maf.keys, jsonBody(req));
        return jsonAnswer(r.status, r.body);
      },
    },
    // This surface as OpenAPI 3.1 (admin-openapi.ts): open, it names routes, never a credential.
    {
      method: 'GET',
      path: OPENAPI_PATH,
      async handle() {
        return jsonAnswer(200, inCseAdminOpenApi({ cseId: idContext.cseId }));
      },
    },
  ];
  // Every route served is documented (a missing one stops the CSE at start).
  for (const r of routes) {
    if (!IN_CSE_ADMIN_OPERATIONS.some((o) => o.method === r.method && o.path === r.path))
      throw new Error(`admin route ${r.method} ${r.path} is not in IN_CSE_ADMIN_OPERATIONS (admin-openapi.ts)`);
  }
  return routes;
}
