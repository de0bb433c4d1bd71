// The IN-CSE administration surface as OpenAPI 3.1 (issue 19 item 7): the routes of admin-routes.ts with
// their query parameters, headers and request bodies. The body schemas are the ones the routes check
// (checkBody of @m2msec/protocol) before the deeper checks of the function behind them (the revocation's
// MAC, the KeID's MEF, the MAF's identity); adminRoutes refuses to serve a route not listed here. Served at
// GET /.well-known/m2msec/openapi.json on every HTTP listener of the CSE, without authentication: it
// describes the routes, never a credential or a policy.
import { AUDIT_PATH } from '@m2msec/administration';
import { MAF_KEY_NOTIFICATION_PATH } from '@m2msec/maf';
import { type AdminOperation, adminOpenApi, type BodySchema } from '@m2msec/protocol';
import { KEY_ANNOUNCEMENT_PATH } from '@m2msec/rspf';
import { EXPLAIN_PATH } from './explain-route.js';

export const OPENAPI_PATH = '/.well-known/m2msec/openapi.json';
export const IN_CSE_ADMIN_API_VERSION = '1.0.0';
const DK_REVOCATION_PATH = '/.well-known/m2msec/dk-revocation';
const CREDENTIALS_PATH = '/.well-known/m2msec/credentials';
const SESSIONS_PATH = '/.well-known/m2msec/sessions';

const origin = { 'X-M2M-Origin': { description: 'The administrator’s originator (AE-ID / CSE-ID)' } };
const administrator = { headers: origin, refusals: ['403'] };

/** A TA's signed revocation of DerivedKey sequence numbers (TS-0003 8.2.2.3; MAC under K_RS-TA). */
const dkRevocationBody: BodySchema = {
  'x-what': 'DerivedKey revocation',
  type: 'object',
  additionalProperties: false,
  required: ['v', 'taId', 'sequenceNumbers', 'issuedAt', 'mac'],
  properties: {
    v: { type: 'integer', const: 1, 'x-message': 'DerivedKey revocation refused: v must be 1' },
    taId: {
      type: 'string',
      pattern: '^[A-Za-z0-9_-]{1,64}$',
      description: 'The trust anchor that issued the DerivedKeys',
      'x-message': 'DerivedKey revocation refused: taId malformed',
    },
    sequenceNumbers: {
      type: 'array',
      minItems: 1,
      maxItems: 1024,
      items: { type: 'string', pattern: '^(0|[1-9][0-9]{0,19})$' },
      description: 'The revoked sequence numbers, decimal strings in 0..2^64-1',
      'x-message': 'DerivedKey revocation refused: sequenceNumbers must be a list of 1 to 1024 decimal strings',
    },
    issuedAt: {
      type: 'integer',
      minimum: 0,
      description: 'Milliseconds since the epoch',
      'x-message': 'DerivedKey revocation refused: issuedAt malformed',
    },
    mac: {
      type: 'string',
      pattern: '^[A-Za-z0-9_-]{43}$',
      description: 'HMAC-SHA256 under K_RS-TA, base64url',
      'x-message': 'DerivedKey revocation refused: mac must be 43 base64url characters',
    },
  },
};

/** A MEF's (or an enrolee's) announcement of a KeID for this Enrolment Target (TS-0003 8.3.2.1). */
const keyAnnouncementBody: BodySchema = {
  'x-what': 'key announcement',
  type: 'object',
  additionalProperties: false,
  required: ['keID'],
  properties: {
    keID: {
      type: 'string',
      minLength: 1,
      description: 'The KeID, <hex>@<MEF FQDN>',
      'x-message': 'keID must be a KeID issued by a MEF this target trusts',
    },
  },
};

/** The MAF's notification of a key registered for this CSE (TS-0003 8.8.3.1). */
const mafNotificationBody: BodySchema = {
  'x-what': 'MAF key notification',
  type: 'object',
  additionalProperties: false,
  required: ['keyIdentifier'],
  properties: {
    keyIdentifier: {
      type: 'string',
      minLength: 1,
      description: 'The Key Identifier, <KmID>@<MAF FQDN>',
      'x-message': 'keyIdentifier must be a Key Identifier of a MAF this CSE trusts',
    },
    event: {
      type: 'string',
      enum: ['registered', 'updated', 'deregistered'],
      'x-message': 'event must be registered, updated or deregistered',
    },
  },
};

/** Every route of the IN-CSE admin surface (admin-routes.ts). */
export const IN_CSE_ADMIN_OPERATIONS: readonly AdminOperation[] = [
  {
    method: 'GET',
    path: AUDIT_PATH,
    summary: 'The security audit log, for administrators (docs/administration.md)',
    query: {
      kind: { description: 'Only events of this kind' },
      since: { description: 'Only events from this ISO time on' },
      limit: { description: '1 to 1000 events', pattern: '^[1-9][0-9]{0,3}$' },
    },
    ...administrator,
  },
  {
    method: 'POST',
    path: DK_REVOCATION_PATH,
    summary: 'Apply a trust anchor’s DerivedKey revocation (authenticated by its MAC, on any listener)',
    body: dkRevocationBody,
    security: 'none',
  },
  {
    method: 'GET',
    path: EXPLAIN_PATH,
    summary: 'Would <from> be allowed <op> on <to> now, and by which rule (administrators on their association)',
    query: {
      from: { description: 'The originator' },
      op: { description: 'The operation: CREATE, RETRIEVE, UPDATE, DELETE, NOTIFY, DISCOVERY or 1..6' },
      to: { description: 'The target resource' },
      ty: { description: 'The resource type created (CREATE)', pattern: '^[0-9]{1,5}$' },
      authenticated: { description: 'Whether the originator is taken as authenticated', pattern: '^(true|false)$' },
      ip: { description: 'The peer address the request would come from' },
    },
    ...administrator,
  },
  {
    method: 'GET',
    path: SESSIONS_PATH,
    summary: 'Live security associations (identifiers and facts, never key material)',
    ...administrator,
  },
  {
    method: 'GET',
    path: `${CREDENTIALS_PATH}/psk`,
    summary: 'The Kpsa credentials (identifiers, bindings and dates, never a key)',
    ...administrator,
  },
  {
    method: 'DELETE',
    path: `${CREDENTIALS_PATH}/psk/:keyId`,
    summary: 'Revoke a Kpsa: key, binding and live sessions (docs/certificate-lifecycle.md)',
    params: { keyId: { description: 'The KpsaID (without the 12- prefix of the credential-ID)' } },
    ...administrator,
  },
  {
    method: 'POST',
    path: KEY_ANNOUNCEMENT_PATH,
    summary: 'A MEF announces a KeID for this Enrolment Target: the key is fetched (200 held, 202 fetching)',
    body: keyAnnouncementBody,
    security: 'none',
  },
  {
    method: 'POST',
    path: MAF_KEY_NOTIFICATION_PATH,
    summary: 'The MAF announces a key registered for this CSE: it is retrieved (200 held, 202 retrieving)',
    body: mafNotificationBody,
    security: 'none',
  },
  { method: 'GET', path: OPENAPI_PATH, summary: 'This document', security: 'none' },
];

export function inCseAdminOpenApi(o: { cseId: string }): Record<string, unknown> {
  return adminOpenApi({
    title: `IN-CSE administration API (${o.cseId})`,
    version: IN_CSE_ADMIN_API_VERSION,
    description:
      'Routes beside the oneM2M binding of the reference IN-CSE. Administrators are proven by the TLS-PSK or ' +
      'certificate security association their request arrives on (TS-0003 8.2, 6.2.3), never by a token; ' +
      'the plain listener carries only the open routes (and, in the development profile, the audit log for ' +
      'the loopback administrators). Keys never come out.',
    operations: IN_CSE_ADMIN_OPERATIONS,
    authentication: {
      name: 'association',
      scheme: {
        type: 'mutualTLS',
        description: 'A security association (TLS-PSK or certificate) bound to an administrator principal',
      },
    },
  });
}
