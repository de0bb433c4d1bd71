// <mgmtObj> (TS-0004 7.4.15, Annex D; TS-0001 9.6.15, Annex D): management data of a <node>. This CSE
// does service-layer management (7.4.15.2.1: generic procedures): it runs no device management protocol
// adapter (OMA-DM, LwM2M), so an executable attribute (reboot, factoryReset, update, install, ...) is
// stored and reaches the managed entity as an update notification of its <subscription>s
// (docs/conformance-resources.md). The mutually exclusive pairs of D.3.2.2 are refused with 4000.
import { M2MError, ResourceType, ResponseStatusCode } from '@m2msec/protocol';
import type { ResourceTypeHandler } from './handler.js';
import { recheckConfigVersion } from './recheck-config-version.js';
import { checkSecurityCreate, checkSecurityUpdate, isSecurityMgd } from './security-mgmt-obj.js';
import { checkSpecializationRoot } from './specialization-root.js';

const SOFTWARE = 1002;

/** D.3.2.2: install and uninstall, activate and deactivate, never both true in one request. */
function checkExclusive(mgd: unknown, attrs: Record<string, unknown>): void {
  if (mgd !== SOFTWARE) return;
  for (const [a, b] of [
    ['in', 'un'],
    ['act', 'dea'],
  ] as const) {
    if (attrs[a] === true && attrs[b] === true) {
      throw new M2MError(ResponseStatusCode.BAD_REQUEST, `[software] attributes '${a}' and '${b}' cannot both be true`);
    }
  }
}

export const mgmtObjHandler: ResourceTypeHandler = {
  ty: ResourceType.mgmtObj,
  parents: [ResourceType.node], // TS-0004 Table 7.4.18.1-4
  hasAcpi: true,
  idPrefix: 'mgo',
  async create({ ctx, parent, attrs, resource }) {
    checkExclusive(attrs.mgd, attrs);
    // Remote security configuration (TS-0003 8.3.8): attribute checks, no key ever stored.
    if (isSecurityMgd(attrs.mgd)) await checkSecurityCreate(ctx, parent, attrs, resource);
  },
  async update(ctx, current, changes) {
    checkSpecializationRoot(ctx, current);
    checkExclusive(current.mgd, changes);
    if (isSecurityMgd(current.mgd)) await checkSecurityUpdate(ctx, current, changes);
  },
  // The configVersion check again, inside the writing transaction: CSE instances sharing one store
  // (PostgreSQL) each checked against what they read before it (docs/remote-security-config.md).
  async afterUpdate(ctx, before) {
    if (isSecurityMgd(before.mgd)) await recheckConfigVersion(ctx, before);
  },
  serializeUpdates: true,
};
