// oneM2M header names of TS-0009 clause 6.4 (HTTP header names are case-insensitive, 5.1).
export const Header = {
  origin: 'x-m2m-origin', // 6.4.7 From
  requestId: 'x-m2m-ri', // 6.4.8 Request Identifier
  groupRequestId: 'x-m2m-gid', // 6.4.10
  notificationUri: 'x-m2m-rtu', // 6.4.11 responseType notificationURI, values joined by '&'
  originatingTimestamp: 'x-m2m-ot', // 6.4.12
  resultExpiration: 'x-m2m-rst', // 6.4.13
  requestExpiration: 'x-m2m-ret', // 6.4.14
  operationExecutionTime: 'x-m2m-oet', // 6.4.15
  eventCategory: 'x-m2m-ec', // 6.4.16
  statusCode: 'x-m2m-rsc', // 6.4.17
  assignedTokenIds: 'x-m2m-ati', // 6.4.18
  authorization: 'authorization', // 6.4.19 Tokens joined by '+'
  contentStatus: 'x-m2m-cts', // 6.4.20
  contentOffset: 'x-m2m-cto', // 6.4.21
  releaseVersion: 'x-m2m-rvi', // 6.4.22
  vendorInfo: 'x-m2m-vsi', // 6.4.23
  authorSignatures: 'x-m2m-as', // 6.4.24
  authorSignRequestInfo: 'x-m2m-asri', // 6.4.25
  contentType: 'content-type',
  contentLocation: 'content-location',
} as const;

/** Header values as node's `IncomingMessage.headersDistinct` gives them: every occurrence kept. */
export type DistinctHeaders = Readonly<Record<string, readonly string[] | undefined>>;

/** Conventional spelling for headers this binding writes (names are case-insensitive, 5.1). */
export const headerDisplayName: Readonly<Record<string, string>> = {
  [Header.origin]: 'X-M2M-Origin',
  [Header.requestId]: 'X-M2M-RI',
  [Header.groupRequestId]: 'X-M2M-GID',
  [Header.notificationUri]: 'X-M2M-RTU',
  [Header.originatingTimestamp]: 'X-M2M-OT',
  [Header.resultExpiration]: 'X-M2M-RST',
  [Header.requestExpiration]: 'X-M2M-RET',
  [Header.operationExecutionTime]: 'X-M2M-OET',
  [Header.statusCode]: 'X-M2M-RSC',
  [Header.assignedTokenIds]: 'X-M2M-ATI',
  [Header.authorization]: 'Authorization',
  [Header.contentStatus]: 'X-M2M-CTS',
  [Header.contentOffset]: 'X-M2M-CTO',
  [Header.releaseVersion]: 'X-M2M-RVI',
  [Header.eventCategory]: 'X-M2M-EC',
  [Header.vendorInfo]: 'X-M2M-VSI',
  [Header.authorSignatures]: 'X-M2M-AS',
  [Header.contentType]: 'Content-Type',
  [Header.contentLocation]: 'Content-Location',
};
