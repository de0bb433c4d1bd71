// The MAF admin API as an OpenAPI 3.1 document (issue 19 item 7), generated from the route table and the
// request schemas that validate the requests (admin/schemas.ts): what is documented is what is checked.
// Served at GET /admin/openapi.json behind the same bearer token as the API.
import { adminOpenApi } from '@m2msec/protocol';
import { ADMIN_OPERATIONS } from './schemas.js';

export function mafAdminOpenApi(o: { version: string; mafFqdn: string }): Record<string, unknown> {
  return adminOpenApi({
    title: `MAF admin API (${o.mafFqdn})`,
    version: o.version,
    description:
      'Administrating-stakeholder API of the reference MAF (TS-0003 8.8.3.1, 8.2.2.3): client credentials, ' +
      'registrations, hosted DerivedKey trust anchors. Keys go in as hex and never come out.',
    operations: ADMIN_OPERATIONS,
  });
}
