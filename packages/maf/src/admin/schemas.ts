// The MAF admin API's request bodies as JSON Schemas (issue 19 item 7): the same objects validate each
// request (checkBody of @m2msec/protocol, before the handler's own checks of meaning: the KmID names this MAF,
// the expiry lies ahead, a new trust anchor has a key) and make the API's OpenAPI document
// (admin/openapi.ts). `x-message` is the refusal's text when that value is wrong, naming the field.
import type { AdminOperation, BodySchema } from '@m2msec/protocol';

const ABSOLUTE_ID = '^//[A-Za-z0-9.-]{1,253}(/[A-Za-z0-9._~-]{1,128}){1,2}$';
const HEX_KEY = '^([0-9a-fA-F]{2}){16,64}$';
const TA_ID = '^[A-Za-z0-9_-]{1,64}$';
const ABSOLUTE_ID_MESSAGE = 'must be an Absolute AE-ID or CSE-ID (//SP-ID/CSE-ID[/AE-ID])';

const clientId = {
  type: 'string',
  pattern: ABSOLUTE_ID,
  description: 'The MAF Client ID: an Absolute AE-ID or CSE-ID (TS-0001 7.2).',
  'x-message': `clientId ${ABSOLUTE_ID_MESSAGE}`,
};
const clientConfiguration = {
  type: 'object',
  description: 'Returned to the client by MAF Client Configuration Retrieval (TS-0003 8.8.2.3).',
  'x-message': 'clientConfiguration must be a JSON object',
};

export const pskClientBody: BodySchema = {
  'x-what': 'client',
  type: 'object',
  additionalProperties: false,
  required: ['km', 'clientId'],
  properties: {
    km: {
      type: 'string',
      pattern: HEX_KEY,
      description: 'The pre-provisioned Km (SUID 11), 16 to 64 bytes as hex; it never comes out of the MAF.',
      'x-message': 'km must be 16 to 64 bytes of hex',
    },
    clientId,
    expirationTime: {
      type: ['string', 'integer'],
      description: 'ISO 8601 time, m2m:timestamp (YYYYMMDDTHHMMSS) or ms since the epoch; in the future.',
      'x-message': 'expirationTime must be a time',
    },
    clientConfiguration,
  },
};

export const certificateClientBody: BodySchema = {
  'x-what': 'client',
  type: 'object',
  additionalProperties: false,
  required: ['clientId'],
  properties: { clientId, clientConfiguration },
};

export const trustAnchorBody: BodySchema = {
  'x-what': 'trust anchor',
  type: 'object',
  additionalProperties: false,
  required: ['clients'],
  properties: {
    key: {
      type: 'string',
      pattern: HEX_KEY,
      description: 'K_RS-TA (TS-0003 8.3.7), 16 to 64 bytes as hex; required when the trust anchor is new.',
      'x-message': 'key must be 16 to 64 bytes of hex',
    },
    clients: {
      type: 'object',
      description: 'MAF Client ID -> C_id of that client at this trust anchor.',
      propertyNames: { pattern: ABSOLUTE_ID },
      additionalProperties: { type: 'string', pattern: TA_ID },
      'x-message': `clients must map MAF Client IDs (${ABSOLUTE_ID_MESSAGE.replace('must be ', '')}) to C_ids of 1-64 of [A-Za-z0-9_-]`,
    },
    administrators: {
      type: 'array',
      items: { type: 'string', pattern: ABSOLUTE_ID },
      'x-message': `administrators must be a list of MAF Client IDs (${ABSOLUTE_ID_MESSAGE.replace('must be ', '')})`,
    },
    resourceServers: {
      type: 'array',
      items: { type: 'string', pattern: '^https?://' },
      'x-message': 'resourceServers must be a list of http(s) URLs',
    },
  },
};

const kmId = { description: 'KmID: MAF_RELATIVE_KmID@MAF-FQDN of this MAF (TS-0003 10.6)' };
const taId = { description: 'TA_id of the DerivedKey trust anchor', pattern: TA_ID };

/** Every route of the admin API, in the order adminRoutes registers them. */
export const ADMIN_OPERATIONS: AdminOperation[] = [
  {
    method: 'PUT',
    path: '/admin/clients/psk/:kmId',
    summary: 'Pre-provision a Km for a MAF client (SUID 11; MAF Client Credential Configuration 8.8.3.1)',
    params: { kmId },
    body: pskClientBody,
  },
  {
    method: 'PUT',
    path: '/admin/clients/certificate/:san',
    summary: 'Accept a client certificate by its subjectAltName for the MAF Handshake',
    params: { san: { description: 'The subjectAltName value, e.g. URI:m2m://m2msec.org/id-in/Cae1' } },
    body: certificateClientBody,
  },
  {
    method: 'DELETE',
    path: '/admin/clients/:kind/:id',
    summary: 'Remove a client credential',
    params: {
      kind: { description: 'psk or certificate', pattern: '^(psk|certificate)$' },
      id: { description: 'The KmID or the subjectAltName value' },
    },
  },
  { method: 'GET', path: '/admin/clients', summary: 'Client credentials (metadata only, never a key)' },
  { method: 'GET', path: '/admin/clientRegs', summary: 'MAF client registrations' },
  { method: 'GET', path: '/admin/keyRegs', summary: 'Key registrations (metadata only, never a key)' },
  {
    method: 'DELETE',
    path: '/admin/keyRegs/:rid',
    summary: 'Stop distributing a registered key; its targets are notified',
    params: { rid: { description: 'The relative key ID (32 hexadecimal digits)', pattern: '^[0-9a-fA-F]{32}$' } },
  },
  {
    method: 'PUT',
    path: '/admin/trust-anchors/:taId',
    summary: 'Create or update a DerivedKey trust anchor hosted by this MAF',
    params: { taId },
    body: trustAnchorBody,
  },
  { method: 'DELETE', path: '/admin/trust-anchors/:taId', summary: 'Remove a trust anchor', params: { taId } },
  { method: 'GET', path: '/admin/trust-anchors', summary: 'Hosted trust anchors (never a key)' },
  { method: 'GET', path: '/admin/openapi.json', summary: 'This document' },
];
