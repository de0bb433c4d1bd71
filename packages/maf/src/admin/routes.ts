// Administrating-stakeholder API of the MAF (MAF Client Credential Configuration 8.8.3.1 and the
// Identity Configuration of 8.2.2.3, which oneM2M leaves to the MAF). Served on its own listener
// (loopback by default) behind a bearer token compared in constant time. Key bytes go in as hex and
// never come out. Routes of the shared HTTP edge; a refusal is JSON {code, error} with the HTTP status
// the binding maps from its rsc.
//   PUT    /admin/clients/psk/<KmID>          {km, clientId, expirationTime?, clientConfiguration?}  pre-provisioned Km (SUID 11)
//   PUT    /admin/clients/certificate/<SAN>   {clientId, clientConfiguration?}                       certificate MAF Handshake
//   DELETE /admin/clients/psk/<KmID> | /admin/clients/certificate/<SAN>
//   GET    /admin/clients                     metadata only
//   GET    /admin/clientRegs                  MAF client registrations
//   GET    /admin/keyRegs                     metadata only
//   DELETE /admin/keyRegs/<RelativeKeyID>     stop distributing a key (targets are told)
//   PUT    /admin/trust-anchors/<TA_id>       {key?, clients: {<MAF Client ID>: <C_id>}, administrators?, resourceServers?}
//   DELETE /admin/trust-anchors/<TA_id>
//   GET    /admin/trust-anchors
//   GET    /admin/openapi.json                this API as OpenAPI 3.1 (admin/openapi.ts)
// Request bodies are checked against the JSON Schemas of admin/schemas.ts first, the same objects the
// OpenAPI document is made of; the handlers then check what a schema cannot (the KmID names this MAF, ...).
import { createHash, timingSafeEqual } from 'node:crypto';
import { parseKmID } from '@m2msec/crypto';
import { checkBody, type EdgeRequest, type EdgeResponse, type EdgeRoute } from '@m2msec/protocol';
import { MafError } from '../lib/errors.js';
import { absoluteId, bad, body, expirationTime, relativeKeyId } from '../lib/validate.js';
import { jsonBody } from '../procedures/json-body.js';
import { type NotifyOptions, notifyTargets } from '../server/notify.js';
import { certificateCredentialId, kmCredentialId, type MafStore } from '../store/maf-store.js';
import { type HostedTrustAnchors, TA_ID } from '../trust-anchor/hosted-trust-anchors.js';
import { mafAdminOpenApi } from './openapi.js';
import { ADMIN_OPERATIONS } from './schemas.js';

export interface AdminRouterOptions {
  token: string;
  mafFqdn: string;
  store: MafStore;
  anchors: HostedTrustAnchors;
  notify: NotifyOptions;
  now: () => number;
}

const hexKey = (v: unknown, what: string): Buffer => {
  if (typeof v !== 'string' || !/^([0-9a-fA-F]{2}){16,64}$/.test(v)) bad(`${what} must be 16 to 64 bytes of hex`);
  return Buffer.from(v, 'hex');
};

const config = (v: unknown): Record<string, unknown> | undefined => {
  if (v === undefined) return undefined;
  if (typeof v !== 'object' || v === null || Array.isArray(v)) bad('clientConfiguration must be a JSON object');
  return v as Record<string, unknown>;
};

interface AdminRequest {
  params: Readonly<Record<string, string>>;
  body: unknown;
}

const ADMIN_BODY_LIMIT = 64 * 1024;
/** The admin API's version in its OpenAPI document. */
export const ADMIN_API_VERSION = '1.0.0';

export function adminRoutes(o: AdminRouterOptions): EdgeRoute[] {
  const expected = createHash('sha256').update(`Bearer ${o.token}`).digest();
  const authorized = (r: EdgeRequest) =>
    timingSafeEqual(
      createHash('sha256')
        .update(r.headers.authorization ?? '')
        .digest(),
      expected,
    );
  const unauthorized: EdgeResponse = {
    status: 401,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
    body: JSON.stringify({ code: 'UNAUTHORIZED', error: 'admin API: bearer token required' }),
  };
  const routes: EdgeRoute[] = [];
  const add = (method: string, path: string, fn: (req: AdminRequest) => Promise<unknown>) => {
    // Every route is in the documented table (a route missing there is a programming error, found at start).
    const op = ADMIN_OPERATIONS.find((a) => a.method === method && a.path === path);
    if (!op) throw new Error(`admin route ${method} ${path} is not in ADMIN_OPERATIONS (admin/schemas.ts)`);
    routes.push({
      method,
      path,
      maxBodyBytes: ADMIN_BODY_LIMIT,
      async handle(r) {
        if (!authorized(r)) return unauthorized;
        const body = jsonBody(r);
        const refused = op.body ? checkBody(op.body, body) : undefined;
        if (refused) bad(refused);
        const out = await fn({ params: r.params, body });
        return {
          status: 200,
          headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
          body: JSON.stringify(out ?? {}),
        };
      },
    });
  };
  const r = {
    put: (path: string, fn: (req: AdminRequest) => Promise<unknown>) => add('PUT', path, fn),
    get: (path: string, fn: (req: AdminRequest) => Promise<unknown>) => add('GET', path, fn),
    delete: (path: string, fn: (req: AdminRequest) => Promise<unknown>) => add('DELETE', path, fn),
  };
  const handle = (fn: (req: AdminRequest) => Promise<unknown>) => fn;

  r.put(
    '/admin/clients/psk/:kmId',
    handle(async (req) => {
      const kmId = String(req.params.kmId);
      let fqdn: string;
      try {
        fqdn = parseKmID(kmId).mafFqdn;
      } catch (e) {
        bad(`'${kmId.slice(0, 80)}' is not a KmID (MAF_RELATIVE_KmID@MAF-FQDN, 10.6): ${(e as Error).message}`);
      }
      if (fqdn.toLowerCase() !== o.mafFqdn.toLowerCase()) bad(`the KmID must name this MAF (${o.mafFqdn})`);
      const b = body(req.body, 'client', ['km', 'clientId', 'expirationTime', 'clientConfiguration']);
      const clientId = absoluteId(b.clientId, 'clientId');
      const expiresAt =
        b.expirationTime === undefined
          ? undefined
          : expirationTime(b.expirationTime, 'expirationTime', o.now(), 10 * 365 * 86_400_000);
      const cfg = config(b.clientConfiguration);
      const km = hexKey(b.km, 'km');
      try {
        const rec = await o.store.putKm(
          {
            kmId,
            clientId,
            suid: 11,
            createdAt: o.now(),
            ...(expiresAt !== undefined ? { expiresAt } : {}),
            ...(cfg ? { clientConfiguration: cfg } : {}),
          },
          km,
        );
        return { credentialId: rec.credentialId, kmId, clientId };
      } finally {
        km.fill(0);
      }
    }),
  );
  r.put(
    '/admin/clients/certificate/:san',
    handle(async (req) => {
      const san = String(req.params.san);
      if (!san || san.length > 1024) bad('the subjectAltName value must be 1-1024 characters');
      const b = body(req.body, 'client', ['clientId', 'clientConfiguration']);
      const clientId = absoluteId(b.clientId, 'clientId');
      const cfg = config(b.clientConfiguration);
      const credentialId = certificateCredentialId(san);
      await o.store.credentials.put(credentialId, {
        credentialId,
        kind: 'certificate',
        certificateSan: san,
        clientId,
        suid: 41,
        createdAt: o.now(),
        ...(cfg ? { clientConfiguration: cfg } : {}),
      });
      return { credentialId, clientId };
    }),
  );
  r.delete(
    '/admin/clients/:kind/:id',
    handle(async (req) => {
      const id = String(req.params.id);
      const kind = String(req.params.kind);
      if (kind !== 'psk' && kind !== 'certificate') bad('kind must be psk or certificate');
      const credentialId = kind === 'psk' ? kmCredentialId(id) : certificateCredentialId(id);
      if (!(await o.store.deleteCredential(credentialId)))
        throw new MafError('NOT_FOUND', `no client credential '${credentialId}'`);
      return { deleted: credentialId };
    }),
  );
  r.get(
    '/admin/clients',
    handle(async () => (await o.store.credentials.list()).map(({ value: { sealedKm: _k, ...meta } }) => meta)),
  );
  r.get(
    '/admin/clientRegs',
    handle(async () => (await o.store.clientRegs.list()).map(({ value }) => value)),
  );
  r.get(
    '/admin/keyRegs',
    handle(async () => (await o.store.keyRegs.list()).map(({ value: { sealedKey: _k, ...meta } }) => meta)),
  );
  r.delete(
    '/admin/keyRegs/:rid',
    handle(async (req) => {
      const rid = relativeKeyId(req.params.rid);
      const k = await o.store.keyRegs.get(rid);
      if (!k || !(await o.store.keyRegs.delete(rid))) throw new MafError('NOT_FOUND', `no key registration '${rid}'`);
      return { notifiedTargets: await notifyTargets(o.notify, k.targetIDs, `${rid}@${o.mafFqdn}`, 'deregistered') };
    }),
  );
  r.put(
    '/admin/trust-anchors/:taId',
    handle(async (req) => {
      const taId = String(req.params.taId);
      if (!TA_ID.test(taId)) bad('TA_id must be 1-64 of [A-Za-z0-9_-]');
      const b = body(req.body, 'trust anchor', ['key', 'clients', 'administrators', 'resourceServers']);
      const clients = b.clients;
      if (typeof clients !== 'object' || clients === null || Array.isArray(clients)) {
        bad('clients must map MAF Client IDs to C_ids');
      }
      for (const [id, cId] of Object.entries(clients)) {
        absoluteId(id, 'a clients key');
        if (typeof cId !== 'string' || !TA_ID.test(cId)) bad(`the C_id of '${id}' must be 1-64 of [A-Za-z0-9_-]`);
      }
      const admins = b.administrators ?? [];
      if (!Array.isArray(admins)) bad('administrators must be a list of MAF Client IDs');
      admins.forEach((a, i) => {
        absoluteId(a, `administrators[${i}]`);
      });
      const rs = b.resourceServers ?? [];
      if (!Array.isArray(rs) || !rs.every((u) => typeof u === 'string' && /^https?:\/\//.test(u))) {
        bad('resourceServers must be a list of http(s) URLs');
      }
      const key = b.key === undefined ? undefined : hexKey(b.key, 'key');
      try {
        await o.anchors.put(
          {
            taId,
            clients: clients as Record<string, string>,
            administrators: admins as string[],
            resourceServers: rs as string[],
            createdAt: o.now(),
          },
          key,
        );
      } finally {
        key?.fill(0);
      }
      return { taId };
    }),
  );
  r.delete(
    '/admin/trust-anchors/:taId',
    handle(async (req) => {
      if (!(await o.anchors.delete(String(req.params.taId)))) throw new MafError('NOT_FOUND', 'no such trust anchor');
      return { deleted: String(req.params.taId) };
    }),
  );
  r.get(
    '/admin/trust-anchors',
    handle(async () => (await o.store.trustAnchors.list()).map(({ value }) => value)),
  );
  r.get(
    '/admin/openapi.json',
    handle(async () => mafAdminOpenApi({ version: ADMIN_API_VERSION, mafFqdn: o.mafFqdn })),
  );
  // Anything else under /admin: the token first, so the API's shape is not disclosed without it.
  routes.push({
    method: '*',
    path: '/admin/*',
    async handle(req) {
      if (!authorized(req)) return unauthorized;
      throw new MafError('NOT_FOUND', 'no such admin resource');
    },
  });
  return routes;
}
