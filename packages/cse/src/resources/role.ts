// <role> (TS-0004 7.4.40, TS-0001 9.6.38): a role an Authorization Authority assigns to a holder for a
// time window (TS-0003 7.4.2.2). The issuer is the creator: an originator cannot create a role in
// another authority's name. Whether the issuer is trusted is decided when the role is used (7.4.3).
import { isRoleId, normaliseId } from '@m2msec/authorization';
import { type IdContext, M2MError, parseTimestamp, ResourceType, ResponseStatusCode } from '@m2msec/protocol';
import type { ResourceTypeHandler } from './handler.js';

const bad = (message: string): never => {
  throw new M2MError(ResponseStatusCode.BAD_REQUEST, message);
};

export function roleHandler(idContext: IdContext): ResourceTypeHandler {
  return {
    ty: ResourceType.role,
    parents: [ResourceType.CSEBase],
    hasAcpi: true,
    idPrefix: 'rol',
    create({ ctx, attrs }) {
      if (!isRoleId(attrs.rlid as string))
        bad(`roleID (rlid) '${String(attrs.rlid).slice(0, 64)}' is not issuerRelativeID@issuer-fqdn (m2m:roleID)`);
      if (parseTimestamp(attrs.tknb).getTime() >= parseTimestamp(attrs.tkna).getTime())
        bad('notBefore (tknb) must be earlier than notAfter (tkna)');
      if (!ctx.admin && normaliseId(attrs.tkis as string, idContext) !== ctx.originator)
        bad(`issuer (tkis) must be the creating Authorization Authority '${ctx.originator}'`);
    },
  };
}
