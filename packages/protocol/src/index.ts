export { M2MError, isM2MError } from './error.js';
export {
  parseTarget,
  parseOriginator,
  toSpRelativeOriginator,
  toAbsoluteOriginator,
  isLocalTarget,
  type Target,
  type Originator,
  type OriginatorKind,
  type IdScope,
  type IdContext,
} from './ids.js';
export { Operation, AccessControlOperation, accessControlOperationFor } from './operation.js';
export {
  ResultContent,
  FilterUsage,
  ResponseType,
  type FilterCriteria,
  type RequestPrimitive,
  type ResponsePrimitive,
} from './primitive.js';
export { ResourceType, resourceTypeRootName, isServedResourceType } from './resource-type.js';
export { ResponseStatusCode, statusName, isSuccess } from './status.js';
export type {
  BindingName,
  TlsContext,
  TransportContext,
  HandlerResponse,
  RequestHandler,
  RequestSender,
} from './transport.js';
