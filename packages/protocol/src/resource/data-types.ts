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
// accessControlRules 0..n (TS-0004 m2m:setOfAcrs): an empty set may leave acr out.
const setOfAcrs = closed({ acr: { type: 'array', items: accessControlRule } });

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
  // <node>, <mgmtObj> (TS-0004 7.4.18, 7.4.15, Annex D; enumerations of 6.3.4.2.20 - 6.3.4.2.24)
  'xs:unsignedLong': { schema: intRange(0), description: 'a non-negative integer' },
  'm2m:nodeID': { schema: nonEmpty, description: 'a non-empty node ID (e.g. urn:gsma:imei:...)' },
  // TS-0003 8.3.9.9.2 / TS-0004 m2m:suid: two digits (11..43); the handler checks the defined set.
  'm2m:suid': { schema: intRange(11, 43), description: 'an m2m:suid (TS-0003 Table 8.3.9.9.2)' },
  'list of m2m:suid': { schema: { type: 'array', items: intRange(11, 43) }, description: 'a list of m2m:suid values' },
  'xs:unsignedShort': { schema: intRange(0, 65535), description: 'an unsigned 16-bit integer' },
  'list of xs:unsignedShort': {
    schema: { type: 'array', items: intRange(0, 65535), minItems: 1 },
    description: 'a non-empty list of unsigned 16-bit integers',
  },
  'm2m:mgmtDefinition': { schema: intRange(0), description: 'an m2m:mgmtDefinition number' },
  'm2m:mgmtLinkRef': { schema: { type: ['object', 'array'] }, description: 'an m2m:mgmtLinkRef' },
  'm2m:actionStatus': {
    schema: closed({ acn: nonEmpty, sus: intRange(0, 3) }),
    description: 'an m2m:actionStatus {acn?, sus? 0..3}',
  },
  'm2m:batteryStatus': { schema: intRange(1, 7), description: 'an m2m:batteryStatus value 1..7' },
  'm2m:logTypeId': { schema: intRange(1, 5), description: 'an m2m:logTypeId value 1..5' },
  'm2m:logStatus': { schema: intRange(1, 5), description: 'an m2m:logStatus value 1..5' },
  'm2m:protocolList': { schema: stringList(0), description: 'a list of protocol MIME types' },
  // <timeSeries>, <timeSeriesInstance> (TS-0004 7.4.38, 7.4.39; m2m:absRelTimestamp of 6.3.3)
  'm2m:absRelTimestamp': {
    schema: { anyOf: [{ type: 'integer' }, { type: 'string', format: 'm2m-abs-rel-timestamp' }] },
    description: 'an m2m:absRelTimestamp (an m2m:timestamp or a number of milliseconds)',
  },
  'xs:anySimpleType': { schema: { type: ['string', 'number', 'boolean'] }, description: 'a simple value' },
  'm2m:missingDataList': { schema: stringList(0), description: 'a list of timestamps' },
  // <schedule> (7.4.9, 6.3.5.11), <locationPolicy> (7.4.10; enumerations 6.3.4.2.x)
  'm2m:scheduleEntries': {
    schema: closed({ sce: stringList(1) }, ['sce']),
    description: 'an m2m:scheduleEntries {sce: [one or more schedule entries]}',
  },
  'm2m:locationSource': { schema: intRange(1, 3), description: 'an m2m:locationSource value 1..3' },
  'm2m:locationInformationType': { schema: intRange(1, 2), description: 'an m2m:locationInformationType value 1..2' },
  'List of xs:duration': { schema: stringList(1), description: 'a non-empty list of xs:duration strings' },
  'm2m:locationTargetID': { schema: nonEmpty, description: 'a location target ID string' },
  'm2m:geofenceEventCriteria': { schema: intRange(1, 4), description: 'an m2m:geofenceEventCriteria value 1..4' },
  'm2m:locationUpdateEventCriteria': {
    schema: intRange(0, 0),
    description: 'an m2m:locationUpdateEventCriteria value (0)',
  },
  'xs:float': { schema: { type: 'number' }, description: 'a number' },
  'xs:integer': { schema: { type: 'integer' }, description: 'an integer' },
  // TS-0004 Table 6.3.3-1: media type ':' m2m:encodingType (0..2, 6.3.4.2.28) [':' m2m:contentSecurity (0..5, 6.3.4.2.38)].
  'm2m:contentInfo': {
    schema: {
      type: 'string',
      pattern: '^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*:[0-2](:[0-5])?$',
    },
    description:
      "a content info 'type/subtype:encodingType[:contentSecurity]' (encodingType 0..2, contentSecurity 0..5)",
  },
  'm2m:contentRef': { schema: { type: ['object', 'array'] }, description: 'an m2m:contentRef' },
};
