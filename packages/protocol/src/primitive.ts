import type { Operation } from './operation.js';
import type { ResponseStatusCode } from './status.js';

/** m2m:resultContent (TS-0004 6.3.4.2.20). */
export const ResultContent = {
  nothing: 0,
  attributes: 1,
  hierarchicalAddress: 2,
  hierarchicalAddressAndAttributes: 3,
  attributesAndChildResources: 4,
  attributesAndChildResourceReferences: 5,
  childResourceReferences: 6,
  originalResource: 7,
  childResources: 8,
  modifiedAttributes: 9,
} as const;
export type ResultContent = (typeof ResultContent)[keyof typeof ResultContent];

/** m2m:filterUsage (TS-0004 6.3.4.2.31). */
export const FilterUsage = { discovery: 1, conditionalRetrieval: 2, ipeOnDemandDiscovery: 3 } as const;

/** m2m:responseType (TS-0004 6.3.4.2.22): this project serves blocking requests. */
export const ResponseType = { nonBlockingRequestSynch: 1, nonBlockingRequestAsynch: 2, blockingRequest: 3 } as const;

/** m2m:filterCriteria (TS-0004 6.3.5.8), the subset this project evaluates; short names as on the wire. */
export interface FilterCriteria {
  crb?: string; // createdBefore
  cra?: string; // createdAfter
  ms?: string; // modifiedSince
  us?: string; // unmodifiedSince
  sts?: number; // stateTagSmaller
  stb?: number; // stateTagBigger
  exb?: string; // expireBefore
  exa?: string; // expireAfter
  lbl?: string[]; // labels
  ty?: number[]; // resourceType
  sza?: number; // sizeAbove
  szb?: number; // sizeBelow
  cty?: string[]; // contentType
  lim?: number; // limit
  lvl?: number; // level
  ofst?: number; // offset
  fu?: number; // filterUsage
  fo?: number; // filterOperation: 1 AND (default), 2 OR
  atr?: Array<{ nm: string; val: unknown }>; // attribute conditions (TS-0004 7.3.3.17.9)
  catr?: Array<{ nm: string; val: unknown }>; // childAttribute
  patr?: Array<{ nm: string; val: unknown }>; // parentAttribute
  clbl?: string[]; // childLabels (7.3.3.17.5)
  palb?: string[]; // parentLabels
  chty?: number[]; // childResourceType (7.3.3.17.6)
  pty?: number[]; // parentResourceType
  arp?: string; // applyRelativePath (7.3.3.17.17)
  // Members the validator accepts that a CSE may refuse to evaluate (5001): lbq, smf, cfs, cfq.
  [member: string]: unknown;
}

/**
 * A request primitive (TS-0004 7.2.1.1). Field names are the primitive's short names; the
 * protocol edge (binding) fills it and `validateRequest` checks it.
 */
export interface RequestPrimitive {
  op: Operation;
  to: string;
  fr?: string;
  rqi: string;
  rvi?: string;
  ty?: number;
  pc?: Record<string, unknown>;
  rcn?: ResultContent;
  fc?: FilterCriteria;
  rt?: { rtv: number; nu?: string[] };
  rqet?: string; // requestExpirationTimestamp
  rset?: string; // resultExpirationTimestamp
  oet?: string; // operationExecutionTime
  ot?: string; // originatingTimestamp
  drt?: number; // desiredIdentifierResultType
  // Security parameters (TS-0004 7.2.1.1, TS-0003 7.3 / 7.4)
  rids?: string[]; // roleIDs
  tids?: string[]; // tokenIDs
  tkns?: string[]; // tokens
  ltids?: string[]; // localTokenIDs
  tqi?: boolean; // tokenRequestIndicator
  // Further optional parameters of TS-0004 Table 7.2.1.1-1 (short names of Table 8.2.2-1)
  rp?: string; // resultPersistence (m2m:absRelTimestamp)
  ec?: number; // eventCategory
  da?: boolean; // deliveryAggregation
  gid?: string; // groupRequestIdentifier
  grtm?: string[]; // groupRequestTargetMembers
  asi?: boolean; // authorSignIndicator
  aus?: unknown[]; // authorSigns
  auri?: boolean; // authorRelIndicator
  sqi?: boolean; // semanticQueryIndicator
  vsi?: string; // vendorInformation
}

/** m2m:contentStatus (TS-0004 6.3.4.2.44). */
export const ContentStatus = { partialContent: 1, fullContent: 2 } as const;

/** A response primitive (TS-0004 7.2.1.2). */
export interface ResponsePrimitive {
  rsc: ResponseStatusCode;
  rqi: string;
  rvi?: string;
  pc?: unknown;
  to?: string;
  fr?: string;
  ot?: string;
  rset?: string;
  ati?: string[]; // assignedTokenIdentifiers
  /** Content Status (TS-0004 Table 7.2.1.2-1): PARTIAL_CONTENT when a RETRIEVE stopped before its end. */
  cnst?: number;
  /** Content Offset: the offset (fc.ofst) a later RETRIEVE continues from after a partial answer. */
  cnot?: number;
  /** Debug message for errors, carried as `m2m:dbg` content. */
  dbg?: string;
}
