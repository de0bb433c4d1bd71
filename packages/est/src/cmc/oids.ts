// CMC object identifiers (RFC 5272 / RFC 6402).
export const CMC = {
  pkiData: '1.3.6.1.5.5.7.12.2',
  pkiResponse: '1.3.6.1.5.5.7.12.3',
  statusInfoV2: '1.3.6.1.5.5.7.7.25',
  revokeRequest: '1.3.6.1.5.5.7.7.17',
} as const;

/** CMCStatus (RFC 5272 6.1.1). */
export const CMC_STATUS = { success: 0, failed: 2, pending: 3, noSupport: 4 } as const;

/** CMCFailInfo (RFC 5272 6.1.4). */
export const CMC_FAIL = {
  badAlg: 0,
  badMessageCheck: 1,
  badRequest: 2,
  badTime: 3,
  badCertId: 4,
  badIdentity: 7,
  popFailed: 9,
  noKeyReuse: 10,
  internalCAError: 11,
} as const;
export type CmcFailInfo = (typeof CMC_FAIL)[keyof typeof CMC_FAIL];
