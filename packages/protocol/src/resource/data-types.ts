// JSON Schemas (ajv, draft-07) for the data types named in the attribute tables: simple types of
// TS-0004 clause 6.3.2 / 6.3.3 and the complex types of 6.3.5 this project reads (access control,
// tokens, e2eSecInfo). Each type carries the phrase used in error messages.
import type { SchemaObject } from 'ajv';

export interface DataType {
  schema: SchemaObject;
  /** Completes "attribute 'x' of m2m:y must be ...". */
  description: string;
}

const str: SchemaObject = { type: 'string' };
const nonEmpty: SchemaObject = { type: 'string', minLength: 1 };
const id: SchemaObject = { type: 'string', format: 'm2m-id' };
const stringList = (minItems = 0, items: SchemaObject = nonEmpty): SchemaObject => ({ type: 'array', items, minItems });
// Every integer is bounded: xs:nonNegativeInteger / positiveInteger / unsignedLong are unbounded in XSD, but a
// JSON number beyond 2^53 - 1 is no longer the integer the client sent (9007199254740993 parses as ...992),
// so such a value is refused with 4000 rather than stored rounded (docs/hardening.md).
const intRange = (minimum: number, maximum: number = Number.MAX_SAFE_INTEGER): SchemaObject => ({
  type: 'integer',
  minimum,
  maximum,
});
const closed = (properties: Record<string, SchemaObject>, required: string[] = []): SchemaObject => ({
  type: 'object',
  properties,
  required,
  additionalProperties: false,
});

// m2m:accessControlRule (TS-0004 6.3.5.x; TS-0003 7.1): acor, acop mandatory; acco, acaf, acod optional.
const accessControlContexts = closed({
  actw: stringList(0, str), // cron-like window expressions (m2m:scheduleEntry)
  acip: closed({ ipv4: stringList(0), ipv6: stringList(0) }),
  aclr: closed({ accc: stringList(0), accr: { type: 'array', items: { type: 'number' } } }),
});
// TS-0004 Table 6.3.5.27-1: resourceType and specializationType (one value) optional, childResourceType
// mandatory (TS-0003 7.1.5 "The childResourceType element is mandatory").
const accessControlObjectDetails = closed(
  {
    ty: intRange(1),
    spty: { type: ['string', 'integer'] },
    chty: { type: 'array', items: intRange(1), minItems: 1 },
  },
  ['chty'],
);
const accessControlRule = closed(
  {
    acor: stringList(1),
    acop: intRange(1, 63),
    acco: { type: 'array', items: accessControlContexts },
    acaf: { type: 'boolean' },
    acod: { type: 'array', items: accessControlObjectDetails },
  },
  ['acor', 'acop'],
);
const setOfAcrs = closed({ acr: { type: 'array', items: accessControlRule } }, ['acr']);

const tokenPermission = closed({ ris: stringList(0), pv: setOfAcrs, rids: stringList(0) });
const tokenPermissions = closed({ pm: { type: 'array', items: tokenPermission } });

const e2eSecInfo = closed({
  esf: { type: 'array', items: intRange(1) },
  escert: stringList(0),
  esro: { type: 'object' },
});

const anyObject: SchemaObject = { type: 'object' };

export const dataTypes: Readonly<Record<string, DataType>> = {
  'xs:string': { schema: str, description: 'a string' },
  'xs:anyType': { schema: {}, description: 'any value' },
  'xs:boolean': { schema: { type: 'boolean' }, description: 'a boolean' },
  'xs:nonNegativeInteger': { schema: intRange(0), description: 'a non-negative integer up to 2^53-1' },
  'xs:positiveInteger': { schema: intRange(1), description: 'a positive integer up to 2^53-1' },
  'xs:unsignedInt': { schema: intRange(0, 4294967295), description: 'an unsigned 32-bit integer' },
  'xs:anyURI': { schema: nonEmpty, description: 'a non-empty URI string' },
  'list of xs:anyURI': { schema: stringList(0), description: 'a list of non-empty URI strings' },
  'list of xs:NCName': { schema: stringList(0), description: 'a list of attribute names' },
  'm2m:timestamp': {
    schema: { type: 'string', format: 'm2m-timestamp' },
    description: 'an m2m:timestamp (YYYYMMDDThhmmss[,ffffff])',
  },
  'm2m:ID': { schema: id, description: 'a well-formed ID (TS-0001 Table 7.2-1)' },
  'm2m:nhURI': { schema: id, description: 'a well-formed non-hierarchical ID' },
  'm2m:resourceType': { schema: intRange(1), description: 'a resource type number' },
  'list of m2m:resourceType': {
    schema: { type: 'array', items: intRange(1) },
    description: 'a list of resource type numbers',
  },
  'm2m:resourceName': {
    // TS-0004 6.3.3: (ALPHA / DIGIT) *(ALPHA / DIGIT / "-" / "." / "_")
    schema: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$' },
    description: "a resource name: a letter or digit, then letters, digits, '-', '.' or '_'",
  },
  'm2m:labels': { schema: stringList(1), description: 'a non-empty list of label strings' },
  'm2m:acpType': {
    schema: { type: 'array', minItems: 1, items: id },
    description: 'a non-empty list of accessControlPolicy IDs',
  },
  'm2m:listOfURIs': { schema: stringList(1), description: 'a non-empty list of URI strings' },
  'm2m:listOfM2MID': { schema: { type: 'array', minItems: 1, items: id }, description: 'a non-empty list of IDs' },
  'list of m2m:ID': { schema: { type: 'array', items: id }, description: 'a list of IDs' },
  'List of m2m:roleID': { schema: stringList(0), description: 'a list of role IDs' },
  'm2m:roleID': { schema: nonEmpty, description: 'a role ID string' },
  'm2m:tokenID': { schema: nonEmpty, description: 'a token ID string' },
  'm2m:dynAuthJWT': { schema: nonEmpty, description: 'a JWS or JWE compact serialization' },
  'm2m:poaList': { schema: stringList(0), description: 'a list of point-of-access strings' },
  'm2m:externalID': { schema: nonEmpty, description: 'an external ID string' },
  'm2m:triggerRecipientID': { schema: intRange(0, 4294967295), description: 'an unsigned integer' },
  'm2m:supportedReleaseVersions': { schema: stringList(1), description: 'a non-empty list of release versions' },
  'm2m:serializations': {
    schema: { type: 'array', items: { enum: ['xml', 'json', 'cbor'] } },
    description: "a list of 'xml', 'json' or 'cbor'",
  },
  'm2m:cseTypeID': { schema: intRange(1, 3), description: 'a CSE type (1 IN, 2 MN, 3 ASN)' },
  'm2m:e2eSecInfo': { schema: e2eSecInfo, description: 'an m2m:e2eSecInfo {esf, escert, esro}' },
  'm2m:activityPatternElements': {
    schema: { type: 'array', items: anyObject },
    description: 'a list of activity patterns',
  },
  'm2m:sessionCapabilities': { schema: stringList(0, str), description: 'a list of session capability strings' },
  'm2m:multicastCapability': { schema: { type: ['string', 'array'] }, description: 'a multicast capability' },
  'm2m:AERegistrationStatus': { schema: intRange(1), description: 'a registration status number' },
  'm2m:setOfAcrs': { schema: setOfAcrs, description: 'an m2m:setOfAcrs {acr: [{acor, acop, acco?, acaf?, acod?}]}' },
  'm2m:tokenPermissions': {
    schema: tokenPermissions,
    description: 'an m2m:tokenPermissions {pm: [{ris?, pv?, rids?}]}',
  },
  'm2m:batchNotify': {
    schema: closed({ num: intRange(1), dur: str }),
    description: 'an m2m:batchNotify {num?, dur?}',
  },
  'm2m:rateLimit': { schema: closed({ mnn: intRange(1), tww: str }), description: 'an m2m:rateLimit {mnn?, tww?}' },
  'm2m:pendingNotification': { schema: intRange(1, 2), description: 'a pendingNotification value 1..2' },
  'm2m:notificationContentType': { schema: intRange(1, 4), description: 'a notificationContentType value 1..4' },
  'm2m:eventNotificationCriteria': { schema: anyObject, description: 'an m2m:eventNotificationCriteria object' },
  'm2m:eventCat': { schema: intRange(2, 999), description: 'an event category' },
  'm2m:memberType': { schema: intRange(0), description: 'a resource type number (0 = mixed)' },
  'm2m:specializationType': { schema: { type: ['string', 'integer'] }, description: 'a specialization type' },
  'm2m:consistencyStrategy': { schema: intRange(1, 3), description: 'a consistencyStrategy value 1..3' },
  'm2m:contentInfo': { schema: nonEmpty, description: "a content info string ('type/subtype:encoding')" },
  'm2m:contentRef': { schema: { type: ['object', 'array'] }, description: 'an m2m:contentRef' },
};
