// m2m:resourceType values (TS-0004 Table 6.3.4.2.1-1) of the resource types this project serves.
export const ResourceType = {
  accessControlPolicy: 1,
  AE: 2,
  container: 3,
  contentInstance: 4,
  CSEBase: 5,
  group: 9,
  remoteCSE: 16,
  serviceSubscribedAppRule: 19,
  subscription: 23,
  flexContainer: 28,
  role: 31,
  token: 32,
  dynamicAuthorizationConsultation: 34,
  AEAnnc: 10002,
  remoteCSEAnnc: 10016,
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
  16: 'm2m:csr',
  19: 'm2m:asar',
  23: 'm2m:sub',
  28: 'm2m:fcnt',
  31: 'm2m:rol', // Table 8.2.4-1: role -> rol
  32: 'm2m:tk',
  34: 'm2m:dac',
  10002: 'm2m:aeA',
  10016: 'm2m:csrA',
};

export function isServedResourceType(ty: number): ty is ResourceType {
  return Object.hasOwn(resourceTypeRootName, ty);
}
