// m2m:resourceType values (TS-0004 Table 6.3.4.2.1-1) of the resource types this project serves.
export const ResourceType = {
  accessControlPolicy: 1,
  AE: 2,
  container: 3,
  contentInstance: 4,
  CSEBase: 5,
  group: 9,
  locationPolicy: 10,
  mgmtObj: 13,
  node: 14,
  pollingChannel: 15,
  remoteCSE: 16,
  schedule: 18,
  serviceSubscribedAppRule: 19,
  subscription: 23,
  flexContainer: 28,
  timeSeries: 29,
  timeSeriesInstance: 30,
  role: 31,
  token: 32,
  dynamicAuthorizationConsultation: 34,
  accessControlPolicyAnnc: 10001,
  AEAnnc: 10002,
  containerAnnc: 10003,
  contentInstanceAnnc: 10004,
  remoteCSEAnnc: 10016,
  flexContainerAnnc: 10028,
} as const;
export type ResourceType = (typeof ResourceType)[keyof typeof ResourceType];

/** JSON root element (short name with m2m: prefix, TS-0004 Table 8.2.2-x) of each served type. */
export const resourceTypeRootName: Record<ResourceType, string> = {
  1: 'm2m:acp',
  2: 'm2m:ae',
  3: 'm2m:cnt',
  4: 'm2m:cin',
  5: 'm2m:cb',
  9: 'm2m:grp',
  10: 'm2m:lcp',
  // Table 8.2.4-1 names only the specializations (m2m:fwr, m2m:dvi, ...: mgmt-obj-tables.ts); this
  // placeholder is never accepted as a request root (validate-resource.ts) nor used in a representation.
  13: 'm2m:mgo',
  14: 'm2m:nod',
  15: 'm2m:pch',
  16: 'm2m:csr',
  18: 'm2m:sch',
  19: 'm2m:asar',
  23: 'm2m:sub',
  // Likewise only placeholders for <flexContainer>: each containerDefinition has its own root (container-definitions.ts).
  28: 'm2m:fcnt',
  29: 'm2m:ts',
  30: 'm2m:tsi',
  31: 'm2m:rol', // Table 8.2.4-1: role -> rol
  32: 'm2m:tk',
  34: 'm2m:dac',
  10001: 'm2m:acpA',
  10002: 'm2m:aeA',
  10003: 'm2m:cntA',
  10004: 'm2m:cinA',
  10016: 'm2m:csrA',
  // Placeholder like 28: a <flexContainerAnnc> takes its specialization's root + 'Annc' (TS-0004 Annex J).
  10028: 'm2m:fcntA',
};

export function isServedResourceType(ty: number): ty is ResourceType {
  return Object.hasOwn(resourceTypeRootName, ty);
}

/**
 * Every m2m:resourceType value of Release 3 (TS-0004 V3.32.0 Table 6.3.4.2.1-1). A CREATE of one of these that
 * this CSE does not serve is NOT_IMPLEMENTED (TS-0004 7.3.3.3); any other value is not a resource type at all
 * (BAD_REQUEST), for example 58 <flexContainerInstance>, which Release 4 added.
 */
export const release3ResourceTypes: ReadonlySet<number> = new Set([
  ...Array.from({ length: 51 }, (_, i) => i + 1),
  10001,
  10002,
  10003,
  10004,
  10005,
  10009,
  10010,
  10013,
  10014,
  10016,
  10018,
  10024,
  10028,
  10029,
  10030,
  10033,
  10038,
  10039,
  10040,
  10041,
  10042,
  10046,
]);
