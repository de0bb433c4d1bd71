// The GBA subscriber administration's routes and request body as JSON Schemas (issue 19 item 7): the body
// schema checks each PUT (checkBody, before the checks of meaning: one of opc / op, the NAF FQDNs) and the
// operations join the MEF admin API's OpenAPI document when the MEF runs as GBA BSF (TS-0003 8.3.2.3).
import type { AdminOperation, BodySchema } from '@m2msec/protocol';

const hex = (bytes: number, what: string, description: string) => ({
  type: 'string',
  pattern: `^[0-9a-fA-F]{${2 * bytes}}$`,
  description,
  'x-message': `${what} must be ${bytes} bytes of hex`,
});

const subscriberBody: BodySchema = {
  'x-what': 'GBA subscriber',
  type: 'object',
  additionalProperties: false,
  required: ['k', 'enroleeId', 'targets'],
  properties: {
    k: hex(16, 'k', 'The subscriber key K (TS 35.206), as hex; it never comes out of the MEF.'),
    opc: hex(16, 'opc', 'OPc, as hex (give exactly one of opc and op).'),
    op: hex(16, 'op', 'OP, as hex; the MEF derives OPc (give exactly one of opc and op).'),
    sqn: hex(6, 'sqn', 'The last SQN the HSS used (48 bits); SEQ_HE = SQN >> IND bits (TS 33.102 C.1.1).'),
    amf: hex(2, 'amf', 'The authentication management field (default 0000).'),
    enroleeId: {
      type: 'string',
      minLength: 1,
      description: 'The Enrolee-ID the association at the NAF is bound to.',
      'x-message': 'enroleeId is required',
    },
    targets: {
      type: 'array',
      minItems: 1,
      items: { type: 'string' },
      description: 'The Enrolment Targets: NAF FQDNs that may get this subscriber’s Ks_NAF.',
      'x-message': 'targets must be a non-empty list of NAF FQDNs (Enrolment Targets)',
    },
  },
};

const impi = { impi: { description: 'The subscriber’s IMPI (private identity)' } };

/** Every GBA admin route; gbaAdminRoutes refuses to serve one not listed here. */
export const GBA_ADMIN_OPERATIONS: readonly AdminOperation[] = [
  {
    method: 'PUT',
    path: '/admin/gba/subscribers/:impi',
    summary: 'Provision a GBA subscriber (K, OPc or OP, SQN, AMF, Enrolee-ID, NAFs); the answer never has a key',
    params: impi,
    body: subscriberBody,
  },
  { method: 'GET', path: '/admin/gba/subscribers/:impi', summary: 'A GBA subscriber (never K or OPc)', params: impi },
  { method: 'DELETE', path: '/admin/gba/subscribers/:impi', summary: 'Remove a GBA subscriber', params: impi },
];
