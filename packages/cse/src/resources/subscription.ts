// <subscription> (TS-0004 7.4.8): notification targets verified before the resource exists.
import { M2MError, ResourceType, ResponseStatusCode } from '@m2msec/protocol';
import type { Notifier } from '../notifications/notifier.js';
import type { ResourceTypeHandler } from './handler.js';

export function subscriptionHandler(notifier: () => Notifier): ResourceTypeHandler {
  return {
    ty: ResourceType.subscription,
    parents: [
      ResourceType.CSEBase,
      ResourceType.AE,
      ResourceType.container,
      ResourceType.group,
      ResourceType.remoteCSE,
      ResourceType.accessControlPolicy,
      ResourceType.flexContainer,
      ResourceType.node, // TS-0004 Table 7.4.18.1-4
      ResourceType.mgmtObj, // Table 7.4.15.1-3
      ResourceType.timeSeries, // Table 7.4.38.1-4
      ResourceType.schedule, // Table 7.4.9.1-6
      ResourceType.locationPolicy, // Table 7.4.10.1-4
    ],
    hasAcpi: true,
    idPrefix: 'sub',
    async create({ ctx, resource }) {
      const nu = resource.nu;
      if (!Array.isArray(nu) || nu.length === 0 || nu.some((u) => typeof u !== 'string' || u === '')) {
        throw new M2MError(
          ResponseStatusCode.BAD_REQUEST,
          'notificationURI (nu) must be a non-empty list of URIs or IDs',
        );
      }
      if (resource.nct === undefined) resource.nct = 1;
      await notifier().verify(resource, ctx.originator);
    },
    update(_ctx, _current, changes) {
      if ('nu' in changes && (!Array.isArray(changes.nu) || changes.nu.length === 0)) {
        throw new M2MError(ResponseStatusCode.BAD_REQUEST, 'notificationURI (nu) must be a non-empty list');
      }
    },
  };
}
