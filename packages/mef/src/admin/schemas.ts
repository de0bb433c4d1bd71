// The MEF admin API's routes and request bodies as JSON Schemas (issue 19 item 7): the same objects check
// each request (checkBody of @m2msec/protocol, before the router's checks of meaning: the grant's SUID,
// a target's key clash, the username) and make the API's OpenAPI document (GET /admin/openapi.json).
import { CRL_REASONS } from '@m2msec/est';
import type { AdminOperation, BodySchema } from '@m2msec/protocol';

const HEX_KEY = '^([0-9a-fA-F]{2}){16,64}$';

/** Bootstrap Instruction Configuration of one enrolee (TS-0003 8.3.2.1 / 9.2.2). */
const enrolee = {
  enroleeId: {
    type: 'string',
    minLength: 1,
    description: 'The AE-ID or CSE-ID the enrolee is known as.',
    'x-message': 'enroleeId is required',
  },
  targets: {
    type: 'array',
    description: 'The Enrolment Targets and the m2m:suid of the key each receives.',
    items: {
      type: 'object',
      required: ['targetId', 'suid'],
      properties: { targetId: { type: 'string' }, suid: { type: 'integer' }, derivation: { type: 'string' } },
    },
    'x-message': 'targets must be a list of {targetId, suid}',
  },
  enrolmentExpirySeconds: {
    type: 'integer',
    minimum: 60,
    maximum: 10 * 365 * 86400,
    'x-message': 'enrolmentExpirySeconds must be an integer from 60 to 10 years',
  },
  keyLifetimeSeconds: {
    type: 'integer',
    minimum: 1,
    'x-message': 'keyLifetimeSeconds must be a positive integer',
  },
  certificateEnrolment: { type: 'boolean', 'x-message': 'certificateEnrolment must be true or false' },
  subjectAltNames: {
    type: 'array',
    items: { type: 'string' },
    'x-message': 'subjectAltNames must be a list of URI / DNS values',
  },
  remoteManagementUri: { type: 'string', 'x-message': 'remoteManagementUri must be a string' },
  group: { type: 'string', 'x-message': 'group must be a string' },
  clientConfiguration: { type: 'object', 'x-message': 'clientConfiguration must be a JSON object' },
};
const required = ['enroleeId', 'targets', 'enrolmentExpirySeconds'];

const pskEnroleeBody: BodySchema = {
  'x-what': 'enrolee',
  type: 'object',
  additionalProperties: false,
  required: ['kpm', ...required],
  properties: {
    kpm: {
      type: 'string',
      pattern: HEX_KEY,
      description: 'The Kpm, 16 to 64 bytes as hex; it never comes out of the MEF.',
      'x-message': 'kpm must be 16 to 64 bytes of hex',
    },
    ...enrolee,
  },
};

const certificateEnroleeBody: BodySchema = {
  'x-what': 'enrolee',
  type: 'object',
  additionalProperties: false,
  required,
  properties: enrolee,
};

const userEnroleeBody: BodySchema = {
  'x-what': 'enrolee',
  type: 'object',
  additionalProperties: false,
  required: ['password', ...required],
  properties: {
    password: {
      type: 'string',
      minLength: 8,
      description: 'Stored as an argon2id hash and a Digest HA1; never returned.',
      'x-message': 'password needs 8 characters or more',
    },
    ...enrolee,
  },
};

const targetBody: BodySchema = {
  'x-what': 'target',
  type: 'object',
  additionalProperties: false,
  required: [],
  properties: {
    pskIdentity: { type: 'string', 'x-message': 'pskIdentity must be a string' },
    key: {
      type: 'string',
      pattern: HEX_KEY,
      description: "The target's PSK at the MEF (with pskIdentity), 16 to 64 bytes as hex.",
      'x-message': 'key must be 16 to 64 bytes of hex',
    },
    certificateSan: { type: 'string', 'x-message': 'certificateSan must be a string' },
    announceUrl: { type: 'string', 'x-message': 'announceUrl must be a string' },
  },
};

const revocationBody: BodySchema = {
  'x-what': 'revocation',
  type: 'object',
  additionalProperties: false,
  required: [],
  properties: {
    reason: {
      enum: [...CRL_REASONS],
      description: 'RFC 5280 CRLReason name (default unspecified).',
      'x-message': `reason must be one of ${CRL_REASONS.join(', ')}`,
    },
  },
};

const byEnrolee = { enroleeId: { description: 'Only those of this enrolee' } };

/** Every route of the admin API (packages/mef/src/admin/router.ts registers exactly these). */
export const MEF_ADMIN_OPERATIONS: AdminOperation[] = [
  {
    method: 'PUT',
    path: '/admin/enrolees/psk/:kpmId',
    summary: 'Register a PSK enrolee (Bootstrap Instruction Configuration, 8.3.2.1)',
    params: { kpmId: { description: 'KpmID' } },
    body: pskEnroleeBody,
  },
  {
    method: 'PUT',
    path: '/admin/enrolees/certificate/:san',
    summary: 'Register a certificate-based enrolee',
    params: { san: { description: 'The subjectAltName value of its certificate' } },
    body: certificateEnroleeBody,
  },
  {
    method: 'PUT',
    path: '/admin/enrolees/user/:username',
    summary: 'Register a username/password enrolee',
    params: { username: { description: '1-64 letters, digits, . _ @ - (starting alphanumeric)' } },
    body: userEnroleeBody,
  },
  {
    method: 'DELETE',
    path: '/admin/enrolees/:kind/:id',
    summary: 'Revoke an enrolee and all its enrolments (on the CRL before acknowledged)',
    params: {
      kind: { description: 'psk, certificate or user', pattern: '^(psk|certificate|user)$' },
      id: { description: 'KpmID, subjectAltName value or username' },
    },
  },
  { method: 'GET', path: '/admin/enrolees', summary: 'Enrolees (never a key)' },
  {
    method: 'PUT',
    path: '/admin/targets/:targetId',
    summary: 'How an Enrolment Target authenticates to the MEF: {pskIdentity, key} or {certificateSan}',
    params: { targetId: { description: 'The target CSE-ID / AE-ID / MAF ID' } },
    body: targetBody,
  },
  { method: 'GET', path: '/admin/enrolments', summary: 'Enrolments (metadata only)', query: byEnrolee },
  {
    method: 'DELETE',
    path: '/admin/enrolments/:keId',
    summary: 'Revoke one enrolment',
    params: { keId: { description: 'KeID' } },
  },
  { method: 'GET', path: '/admin/certificates', summary: 'EST certificates issued', query: byEnrolee },
  {
    method: 'DELETE',
    path: '/admin/certificates/:serial',
    summary: 'Revoke one EST certificate (on the CRL before acknowledged)',
    params: { serial: { description: '1 to 40 hex digits' } },
    body: revocationBody,
  },
  { method: 'GET', path: '/admin/openapi.json', summary: 'This document' },
];
