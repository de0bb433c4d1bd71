export { m2mDebugContent } from './content/debug.js';
export { checkJsonDepth, escapeControl, jsonSyntaxReason, MAX_JSON_DEPTH } from './content/json-limits.js';
export { rootNameFor, rootNameOfResource, tyForRootName, wrapResource } from './content/wrap.js';
export type {
  EdgeErrorShape,
  EdgeRequest,
  EdgeResponse,
  EdgeRoute,
  HttpEdge,
  HttpEdgeListener,
  HttpEdgeOptions,
} from './edge.js';
export { type CompiledRoute, compileRoute, matchPath } from './edge-routes/match-route.js';
export {
  type ClientError,
  clientErrorOf,
  INTERNAL_CODE,
  INTERNAL_MESSAGE,
  isM2MError,
  isM2msecError,
  M2MError,
  M2msecError,
} from './error.js';
export { describeErrorForLog, errorLogFields } from './error-log.js';
export {
  type AttributeRow,
  attributeTableSources,
  attributeTables,
  type RequestOptionality,
} from './generated/attribute-tables.js';
export { type MgmtObjTable, mgmtObjTables } from './generated/mgmt-obj-tables.js';
export {
  complexMemberNames,
  primitiveParameterNames,
  primitiveRootNames,
  resourceAttributeNames,
  resourceTypeNames,
  type ShortNameRow,
} from './generated/short-name-tables.js';
export {
  type AdminOperation,
  adminOpenApi,
  type BodySchema,
  checkBody,
  openApiPath,
} from './http/admin-api.js';
export {
  type IdContext,
  type IdScope,
  isLocalTarget,
  type Originator,
  type OriginatorKind,
  parseOriginator,
  parseTarget,
  type Target,
  toAbsoluteOriginator,
  toSpRelativeOriginator,
} from './ids.js';
export { closestKey, describeConfigProblems } from './lib/config-problems.js';
export {
  longNameOf,
  longToShortNames,
  opaqueMembers,
  resourceAttributeShortNames,
  shortNameOf,
  shortToLongNames,
  toLongNames,
  toShortNames,
} from './names/short-names.js';
export { AccessControlOperation, accessControlOperationFor, Operation } from './operation.js';
export {
  ContentStatus,
  type FilterCriteria,
  FilterUsage,
  type RequestPrimitive,
  type ResponsePrimitive,
  ResponseType,
  ResultContent,
} from './primitive.js';
export { validateFilterCriteria } from './request/filter-criteria.js';
export { allowedResultContent, requestParameterPresence } from './request/presence.js';
export { parseQueryString, type QueryParameters, queryStringFields } from './request/query-string.js';
export {
  supportedReleaseVersions,
  type ValidateRequestOptions,
  validateRequest,
} from './request/validate-request.js';
export {
  type AttributeSpec,
  type ResourceAttributeTable,
  resourceAttributeTables,
} from './resource/attribute-table.js';
export {
  builtInContainerDefinitions,
  type ContainerDefinition,
  type CustomAttribute,
  containerDefinitionByCnd,
  registerContainerDefinition,
} from './resource/container-definitions.js';
export { type DataType, dataTypes } from './resource/data-types.js';
export { securityMgmtObjTables } from './resource/security-mgmt-objs.js';
export { isSpecializedType, type Specialization, specializationByRoot } from './resource/specializations.js';
export {
  type ContentOperation,
  reservedChildNames,
  type ValidateResourceContext,
  validateResource,
} from './resource/validate-resource.js';
export { isServedResourceType, ResourceType, resourceTypeRootName } from './resource-type.js';
export { isSuccess, ResponseStatusCode, statusName } from './status.js';
export { isAbsRelTimestamp, parseAbsRelTimestamp } from './time/abs-rel-timestamp.js';
export { type FormatTimestampOptions, formatTimestamp, isTimestamp, parseTimestamp } from './time/timestamp.js';
export type {
  BindingName,
  HandlerResponse,
  RequestHandler,
  RequestSender,
  SendOptions,
  TlsContext,
  TransportContext,
} from './transport.js';
