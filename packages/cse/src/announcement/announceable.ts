// Which resource types this CSE announces (TS-0001 9.6.26, TS-0004 7.4.26) and which of their attributes
// travel to the announced resource: MA always when present, OA when named in announcedAttribute (aa).
// Taken from the "<resourceTypeAnnc>" column of TS-0001 9.6.2 / 9.6.5 / 9.6.6 / 9.6.7. expirationTime
// is sent for every type because Table 7.4.26.1-2 makes it mandatory in the announcing CREATE.
// accessControlPolicyIDs (MA) is not sent: its values are resourceIDs of this CSE, which the receiver
// cannot resolve; the announced resource keeps the receiver's default policy (docs/conformance-resources.md).
import { containerDefinitionByCnd, ResourceType } from '@m2msec/protocol';

export interface Announceable {
  /** ty of the announced variant (TS-0004 Table 6.3.4.2.1-1: 10000 + ty). */
  annc: number;
  /** Mandatory Announced attributes (short names). */
  ma: readonly string[];
  /** Optional Announced attributes, announced when listed in aa. */
  oa: readonly string[];
  /** Whether it may only be announced under its announced parent (TS-0004 7.3.3.10: instances). */
  underAnnouncedParentOnly: boolean;
  /** <flexContainer>: its [customAttribute]s are OA too (TS-0001 9.6.35), named in aa like the others. */
  customAttributesOa?: boolean;
}

export const ANNOUNCEABLE: ReadonlyMap<number, Announceable> = new Map([
  [
    ResourceType.accessControlPolicy,
    {
      annc: ResourceType.accessControlPolicyAnnc,
      ma: ['et', 'lbl', 'pv', 'pvs'],
      oa: [],
      underAnnouncedParentOnly: false,
    },
  ],
  [
    ResourceType.AE,
    {
      annc: ResourceType.AEAnnc,
      ma: ['et', 'lbl', 'srv'],
      oa: ['apn', 'api', 'aei', 'poa', 'or', 'nl', 'rr', 'csz'],
      underAnnouncedParentOnly: false,
    },
  ],
  [
    ResourceType.container,
    {
      annc: ResourceType.containerAnnc,
      ma: ['et', 'lbl'],
      oa: ['mni', 'mbs', 'mia', 'li', 'or', 'disr'],
      underAnnouncedParentOnly: false,
    },
  ],
  [
    ResourceType.contentInstance,
    {
      annc: ResourceType.contentInstanceAnnc,
      ma: ['et', 'lbl'],
      oa: ['cnf', 'or', 'con'],
      underAnnouncedParentOnly: true,
    },
  ],
  [
    ResourceType.flexContainer,
    {
      annc: ResourceType.flexContainerAnnc,
      ma: ['et', 'lbl', 'cnd'],
      oa: ['or', 'nl'],
      underAnnouncedParentOnly: false,
      customAttributesOa: true,
    },
  ],
]);

/** The OA attributes of resource `r` (with custom attributes where the type has them). */
export function optionalAnnounced(spec: Announceable, r: Readonly<Record<string, unknown>> | undefined): string[] {
  const custom =
    spec.customAttributesOa && typeof r?.cnd === 'string'
      ? (containerDefinitionByCnd(r.cnd)?.customAttributes.map((a) => a.short) ?? [])
      : [];
  return [...spec.oa, ...custom];
}

/** The announced variants this CSE accepts, with the original type each stands for. */
export const ANNOUNCED_TYPES: ReadonlyMap<number, number> = new Map(
  [...ANNOUNCEABLE].map(([orig, a]) => [a.annc, orig]),
);
