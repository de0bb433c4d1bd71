// <remoteCSE> (TS-0004 7.4.4): created by a CSE registering to this one; its resource ID follows the CSE-ID.
import { M2MError, ResourceType, ResponseStatusCode } from '@m2msec/protocol';
import type { ResourceTypeHandler } from './handler.js';

export const remoteCseHandler: ResourceTypeHandler = {
  ty: ResourceType.remoteCSE,
  parents: [ResourceType.CSEBase],
  hasAcpi: true,
  idPrefix: 'csr',
  async create({ ctx, attrs, resource }) {
    const csi = attrs.csi;
    if (typeof csi !== 'string' || !/^\/[A-Za-z0-9\-._~]+$/.test(csi)) {
      throw new M2MError(
        ResponseStatusCode.BAD_REQUEST,
        `csi '${String(csi)}' must be an SP-relative CSE-ID such as '/id-mn'`,
      );
    }
    if (!ctx.admin && ctx.originator !== csi) {
      throw new M2MError(
        ResponseStatusCode.BAD_REQUEST,
        `csi '${csi}' must equal the registering originator '${ctx.originator}'`,
      );
    }
    const id = csi.slice(1);
    if (await ctx.store.resources.get(id)) {
      throw new M2MError(ResponseStatusCode.ORIGINATOR_HAS_ALREADY_REGISTERED, `CSE '${csi}' is already registered`);
    }
    resource.ri = id;
    if (attrs.rn === undefined) resource.rn = id;
    resource.__cr = csi;
  },
};
