// Errors are values with a oneM2M response status code (TS-0004 6.6) and a message a person can act
// on. Messages never carry key material.
export type RspfErrorCode =
  | 'BAD_REQUEST'
  | 'NOT_FOUND'
  | 'FORBIDDEN'
  | 'EXPIRED'
  | 'CONFLICT'
  | 'HANDSHAKE'
  | 'ATTESTATION'
  | 'PROTOCOL'
  | 'INTERNAL';

const rscByCode: Record<RspfErrorCode, number> = {
  BAD_REQUEST: 4000,
  NOT_FOUND: 4004,
  FORBIDDEN: 4103,
  EXPIRED: 4103,
  CONFLICT: 4105,
  HANDSHAKE: 4103,
  ATTESTATION: 4103,
  PROTOCOL: 5000,
  INTERNAL: 5000,
};

export class RspfError extends Error {
  override readonly name = 'RspfError';
  readonly rsc: number;
  constructor(
    readonly code: RspfErrorCode,
    message: string,
  ) {
    super(message);
    this.rsc = rscByCode[code];
  }
}

/** HTTP status of a oneM2M response status code (TS-0009 Table 6.4.2-1, the part used here). */
export function httpStatusOf(rsc: number): number {
  if (rsc === 2000) return 200;
  if (rsc === 2001) return 201;
  if (rsc === 2002) return 200;
  if (rsc === 2004) return 200;
  if (rsc === 4000) return 400;
  if (rsc === 4004) return 404;
  if (rsc === 4103) return 403;
  if (rsc === 4105) return 409;
  return 500;
}
