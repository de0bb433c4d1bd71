// Validity checks of a received request primitive (TS-0004 clause 7.3.2.1) on the primitive a binding
// built: presence per Table 7.2.1.1-1, data types per Table 6.4.1-1. Every failure is an M2MError.
import { M2MError } from '../error.js';
import { parseOriginator, parseTarget } from '../ids.js';
import { badRequest, show } from '../lib/bad-request.js';
import {
  expectBoolean,
  expectInt,
  expectObject,
  expectOneOf,
  expectString,
  expectStringList,
  isPlainObject,
} from '../lib/checks.js';
import { Operation } from '../operation.js';
import type { RequestPrimitive } from '../primitive.js';
import { isServedResourceType, ResourceType, release3ResourceTypes } from '../resource-type.js';
import { ResponseStatusCode } from '../status.js';
import { parseAbsRelTimestamp } from '../time/abs-rel-timestamp.js';
import { parseTimestamp } from '../time/timestamp.js';
import { validateFilterCriteria } from './filter-criteria.js';
import { allowedResultContent, operationName, requestParameterPresence } from './presence.js';

/** Release versions served by default (m2m:releaseVersion values): those this project implements, Release 4 is not. */
export const supportedReleaseVersions: readonly string[] = Object.freeze(['2a', '3']);

export interface ValidateRequestOptions {
  /** Release versions this CSE serves; default `supportedReleaseVersions`. */
  releaseVersions?: readonly string[];
  /**
   * TS-0004 7.3.2.1: an absent rvi means Release 1, which this CSE does not serve (4001). Set true to
   * accept a request without rvi instead (it is returned without rvi).
   */
  acceptMissingRvi?: boolean;
}

const OPERATIONS = [1, 2, 3, 4, 5] as const;

/**
 * Checks a request primitive (short-name keys, as built by a binding) and returns a copy typed as
 * RequestPrimitive. Relative absRelTimestamps given as JSON numbers are returned as decimal strings.
 */
export function validateRequest(p: unknown, options: ValidateRequestOptions = {}): RequestPrimitive {
  if (!isPlainObject(p)) badRequest('request primitive must be an object');
  const op = expectOneOf(p.op, 'op', OPERATIONS) as Operation;
  const opName = operationName[op];
  const col = op - 1;

  for (const [k, v] of Object.entries(p)) {
    // Own entries only: 'constructor' or 'toString' must not find Object.prototype's and pass unchecked.
    const row = Object.hasOwn(requestParameterPresence, k) ? requestParameterPresence[k] : undefined;
    if (row === undefined) badRequest(`unknown request parameter '${k}'`);
    if (v === undefined) continue;
    if (row[col] === 'NP') badRequest(`parameter '${k}' is not permitted in ${opName}`);
  }

  const out: Record<string, unknown> = { op };

  // rvi first: an unsupported release is 4001 whatever else is wrong (7.3.2.1).
  if (p.rvi === undefined) {
    if (!options.acceptMissingRvi) {
      throw new M2MError(
        ResponseStatusCode.RELEASE_VERSION_NOT_SUPPORTED,
        'rvi is missing, which means Release 1: not supported',
      );
    }
  } else {
    const rvi = expectString(p.rvi, 'rvi');
    const versions = options.releaseVersions ?? supportedReleaseVersions;
    if (!versions.includes(rvi)) {
      throw new M2MError(
        ResponseStatusCode.RELEASE_VERSION_NOT_SUPPORTED,
        `rvi '${show(rvi)}' is not supported (supported: ${versions.join(', ')})`,
      );
    }
    out.rvi = rvi;
  }

  out.to = expectString(p.to, 'to');
  parseTarget(out.to as string, 'to');
  out.rqi = expectString(p.rqi, 'rqi');

  if (op === Operation.CREATE) {
    if (p.ty === undefined) badRequest('ty is mandatory in CREATE');
    const ty = expectInt(p.ty, 'ty', 1);
    // TS-0004 7.4.12.2.1: <request> is only created implicitly by the Receiver CSE (non-blocking requests).
    if (ty === 17)
      throw new M2MError(
        ResponseStatusCode.OPERATION_NOT_ALLOWED,
        '<request> (ty 17) is created by the CSE for a non-blocking request, never by a CREATE (TS-0004 7.4.12.2.1)',
      );
    if (!isServedResourceType(ty)) {
      // TS-0004 7.3.3.3: a valid CREATE of a type the Hosting CSE does not implement is NOT_IMPLEMENTED.
      if (release3ResourceTypes.has(ty))
        throw new M2MError(
          ResponseStatusCode.NOT_IMPLEMENTED,
          `resource type ${ty} (TS-0004 Table 6.3.4.2.1-1) is not implemented by this CSE`,
        );
      badRequest(`ty ${ty} is not a Release 3 resource type (TS-0004 Table 6.3.4.2.1-1)`);
    }
    out.ty = ty;
  }

  const aeCreate = op === Operation.CREATE && out.ty === ResourceType.AE;
  if (p.fr === undefined || p.fr === '') {
    // TS-0004 7.3.2.1: From may be absent only in an AE CREATE (the CSE then assigns the AE-ID).
    if (!aeCreate) badRequest(`fr is mandatory in ${opName}${op === Operation.CREATE ? ' except for AE CREATE' : ''}`);
    if (p.fr === '') out.fr = '';
  } else {
    out.fr = expectString(p.fr, 'fr');
    parseOriginator(out.fr as string);
  }

  if (p.pc === undefined) {
    if (requestParameterPresence.pc![col] === 'M') badRequest(`pc is mandatory in ${opName}`);
  } else {
    out.pc = expectObject(p.pc, 'pc');
  }

  let discovery = false;
  if (p.fc !== undefined) {
    const fc = validateFilterCriteria(p.fc);
    if ((fc.fu === 1 || fc.fu === 3) && op !== Operation.RETRIEVE) {
      badRequest(`fc.fu=${fc.fu} (discovery) is only valid in RETRIEVE`);
    }
    discovery = fc.fu === 1 || fc.fu === 3;
    out.fc = fc;
  }

  if (p.rcn !== undefined) {
    const allowed = discovery
      ? allowedResultContent.discovery
      : allowedResultContent[op as Exclude<Operation, typeof Operation.NOTIFY>];
    if (typeof p.rcn !== 'number' || !(allowed as readonly number[]).includes(p.rcn)) {
      badRequest(
        `rcn ${show(p.rcn)} is not valid for ${opName}${discovery ? ' with discovery' : ''} (allowed: ${allowed.join(', ')})`,
      );
    }
    out.rcn = p.rcn;
  }

  if (p.drt !== undefined) out.drt = expectOneOf(p.drt, 'drt', [1, 2]);
  if (p.rt !== undefined) out.rt = checkResponseType(p.rt);

  if (p.ot !== undefined) {
    parseTimestamp(p.ot, 'ot');
    out.ot = p.ot;
  }
  // absRelTimestamps: check the syntax against one clock so rset can be compared with rqet.
  const now = new Date();
  const times: Record<string, Date> = {};
  for (const k of ['rqet', 'rset', 'oet', 'rp'] as const) {
    if (p[k] === undefined) continue;
    times[k] = parseAbsRelTimestamp(p[k], now, k);
    out[k] = typeof p[k] === 'number' ? String(p[k]) : p[k];
  }
  if (times.rqet && times.rset && times.rset.getTime() <= times.rqet.getTime()) {
    // Table 6.4.1-1: Result Expiration Timestamp shall be later than Request Expiration Timestamp.
    badRequest('rset must be later than rqet');
  }

  if (p.ec !== undefined) {
    const ec = expectInt(p.ec, 'ec', 2, 999);
    // m2m:eventCat: m2m:stdEventCats 2..4 or a user-defined category 100..999.
    if (ec > 4 && ec < 100) badRequest(`ec must be 2..4 or 100..999 (got ${ec})`);
    out.ec = ec;
  }
  for (const k of ['da', 'tqi', 'asi', 'auri', 'sqi'] as const) {
    if (p[k] !== undefined) out[k] = expectBoolean(p[k], k);
  }
  for (const k of ['gid', 'vsi'] as const) {
    if (p[k] !== undefined) out[k] = expectString(p[k], k);
  }
  for (const k of ['rids', 'tids', 'tkns', 'ltids', 'grtm'] as const) {
    if (p[k] !== undefined) out[k] = expectStringList(p[k], k);
  }
  if (p.aus !== undefined) {
    if (!Array.isArray(p.aus)) badRequest('aus must be a list of signatures');
    out.aus = p.aus;
  }
  return out as unknown as RequestPrimitive;
}

function checkResponseType(v: unknown): { rtv: number; nu?: string[] } {
  const rt = expectObject(v, 'rt');
  for (const k of Object.keys(rt)) if (k !== 'rtv' && k !== 'nu') badRequest(`unknown member 'rt.${k}'`);
  const rtv = expectInt(rt.rtv, 'rt.rtv', 1, 5);
  if (rt.nu === undefined) return { rtv };
  // Table 6.3.5.30-1: nu only with nonBlockingRequestAsynch; an empty list is allowed.
  if (rtv !== 2) badRequest('rt.nu is only allowed with rt.rtv=2 (nonBlockingRequestAsynch)');
  return { rtv, nu: expectStringList(rt.nu, 'rt.nu') };
}
