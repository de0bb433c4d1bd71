// <dynamicAuthorizationConsultation> (TS-0004 7.4.36, TS-0001 9.6.40): whether and where (DAS points of
// access) this CSE consults for dynamic authorization, and the lifetime it proposes. Resources link to
// it through dynamicAuthorizationConsultationIDs (daci).
import { M2MError, ResourceType, ResponseStatusCode } from '@m2msec/protocol';
import type { ResourceTypeHandler } from './handler.js';

function checkPoa(dap: unknown): void {
  if (!Array.isArray(dap) || dap.length === 0)
    throw new M2MError(
      ResponseStatusCode.BAD_REQUEST,
      'dynamicAuthorizationPoA (dap) must be a non-empty list of URIs',
    );
  dap.forEach((poa, i) => {
    let url: URL | undefined;
    try {
      url = new URL(poa as string);
    } catch {
      /* reported below */
    }
    if (!url || !/^(https?|mqtts?|wss?|coaps?):$/.test(url.protocol))
      throw new M2MError(
        ResponseStatusCode.BAD_REQUEST,
        `dynamicAuthorizationPoA (dap) entry ${i} '${String(poa).slice(0, 64)}' is not a point of access URI`,
      );
  });
}

export const dynamicAuthorizationConsultationHandler: ResourceTypeHandler = {
  ty: ResourceType.dynamicAuthorizationConsultation,
  parents: [ResourceType.CSEBase, ResourceType.AE, ResourceType.remoteCSE],
  hasAcpi: true,
  idPrefix: 'dac',
  create({ attrs }) {
    checkPoa(attrs.dap);
  },
  update(_ctx, _current, changes) {
    if ('dap' in changes) checkPoa(changes.dap);
  },
};
