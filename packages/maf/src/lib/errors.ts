// Errors are values with a oneM2M response status code (TS-0004 6.6) and a message a person can act
// on. Messages never carry key material.
export type MafErrorCode =
  | 'BAD_REQUEST'
  | 'NOT_FOUND'
  | 'FORBIDDEN'
  | 'EXPIRED'
  | 'CONFLICT'
  | 'PROTOCOL'
  | 'UNAVAILABLE'
  | 'INTERNAL';

const rscByCode: Record<MafErrorCode, number> = {
  BAD_REQUEST: 4000,
  NOT_FOUND: 4004,
  FORBIDDEN: 4103,
  EXPIRED: 4103,
  CONFLICT: 4105,
  PROTOCOL: 5000,
  UNAVAILABLE: 5103,
  INTERNAL: 5000,
};

export class MafError extends Error {
  override readonly name = 'MafError';
  readonly rsc: number;
  constructor(
    readonly code: MafErrorCode,
    message: string,
  ) {
    super(message);
    this.rsc = rscByCode[code];
  }
}

/** HTTP status of a oneM2M response status code (TS-0009 Table 6.4.2-1, the part the MAF uses). */
export function httpStatusOf(rsc: number): number {
  switch (rsc) {
    case 2000:
    case 2002:
    case 2004:
      return 200;
    case 2001:
      return 201;
    case 4000:
      return 400;
    case 4004:
      return 404;
    case 4103:
      return 403;
    case 4105:
      return 409;
    case 4015:
      return 415;
    case 5103:
      return 503;
    default:
      return 500;
  }
}
