// <AE> registration (TS-0001 10.2.2.2, TS-0004 7.4.5.2.1): AE-ID assignment and registration gating
// by the identification function; the <AE>'s resourceID is its AE-ID-Stem, so a second registration
// of the same stem collides in the store and is 4117.
import {
  assignAeId,
  type CompiledAppRule,
  checkAeRegistration,
  checkAppId,
  type RegistrarContext,
} from '@m2msec/identification';
import { M2MError, ResourceType, ResponseStatusCode } from '@m2msec/protocol';
import type { ResourceTypeHandler } from './handler.js';

export function aeHandler(
  registrar: RegistrarContext,
  appRules: () => readonly CompiledAppRule[],
  isReserved: (aeId: string) => boolean = () => false,
): ResourceTypeHandler {
  return {
    ty: ResourceType.AE,
    parents: [ResourceType.CSEBase],
    hasAcpi: true,
    idPrefix: 'ae',
    async create({ ctx, attrs, resource }) {
      const appId = checkAppId(attrs.api, ctx.req.rvi);
      const assignment = assignAeId(ctx.req.fr, registrar);
      if (assignment.action === 'request-from-in-cse' || assignment.announceToInCse) {
        throw new M2MError(
          ResponseStatusCode.NOT_IMPLEMENTED,
          'S-type AE-IDs at an MN-CSE need the IN-CSE announcement, not supported yet',
        );
      }
      // Identities the system reserves (administrators' originators, CSE-IDs) are never an AE's,
      // whatever a <serviceSubscribedAppRule>'s allowedAEs says: the service subscription check of
      // TS-0004 7.3.2.7 (Recv-6.0.2) fails, 4126 APP_RULE_VALIDATION_FAILED.
      if (isReserved(assignment.aeId)) {
        throw new M2MError(
          ResponseStatusCode.APP_RULE_VALIDATION_FAILED,
          `AE-ID '${assignment.aeId}' is reserved by this CSE and cannot be registered (TS-0004 7.3.2.7)`,
        );
      }
      checkAeRegistration(
        {
          credentialId: ctx.transport.association?.credentialId,
          appId,
          aeIdStem: assignment.stem,
          stemRequested: assignment.action === 'use-requested',
        },
        appRules(),
      );
      if (await ctx.store.resources.get(assignment.resourceId)) {
        throw new M2MError(
          ResponseStatusCode.ORIGINATOR_HAS_ALREADY_REGISTERED,
          `AE '${assignment.aeId}' is already registered`,
        );
      }
      resource.ri = assignment.resourceId;
      if (attrs.rn === undefined) resource.rn = assignment.stem;
      resource.aei = assignment.stem;
      // The default access policy grants the creator full access: the AE itself (TS-0001 10.2.3).
      resource.__cr = assignment.aeId;
    },
  };
}
