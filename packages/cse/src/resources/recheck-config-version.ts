// The configVersion (cfgv) of a security <mgmtObj> checked again inside the transaction that writes the
// UPDATE (docs/remote-security-config.md). checkSecurityUpdate compared the request with the resource as
// this CSE instance read it; UPDATEs of one resource queue per instance only (operations/update.ts), so
// two instances sharing a PostgreSQL store could both accept: a device's report of version 1 on one and an
// administrator's version 2 on the other, the later write silently undoing the earlier one. The handler
// serializes these UPDATEs on the resource across instances (serializeUpdates), and this re-read of the
// committed row inside the SERIALIZABLE transaction makes the check and the write one step.
import { M2MError, ResponseStatusCode } from '@m2msec/protocol';
import type { StoredResource } from '@m2msec/store';
import type { RequestContext } from '../request-context.js';

const versionOf = (r: StoredResource): number => (typeof r.cfgv === 'number' ? r.cfgv : 1);

export async function recheckConfigVersion(ctx: RequestContext, checked: StoredResource): Promise<void> {
  const committed = await ctx.store.resources.get(checked.ri);
  if (!committed) {
    throw new M2MError(
      ResponseStatusCode.NOT_FOUND,
      `resource '${checked.ri}' was deleted meanwhile: nothing recorded`,
    );
  }
  if (versionOf(committed) !== versionOf(checked)) {
    throw new M2MError(
      ResponseStatusCode.CONFLICT,
      `the configuration was changed meanwhile (configVersion ${versionOf(committed)}; this UPDATE was checked ` +
        `against ${versionOf(checked)}): it is not recorded; read the <mgmtObj> again`,
    );
  }
}
