// @m2msec/binding-http: the oneM2M HTTP protocol binding (TS-0009 v3.9.1 clauses 6 and 7).

export {
  type ClassifiedHttpError,
  classifyHttpError,
  type ErrorBodyShape,
  type HttpErrorEdgeOptions,
  httpErrorEdge,
  httpNotFound,
  writeHttpError,
} from './edge/error-edge.js';
export { httpEdge } from './edge/index.js';
export { Header } from './lib/headers.js';
export type { BindingLogger } from './lib/logger.js';
export {
  applyConnectionLimits,
  type ConnectionLimits,
  checkConnectionLimits,
  DEFAULT_CONNECTION_LIMITS,
  type LimitedListener,
  type LimitRefusal,
} from './limits.js';
export { jsonMediaTypes, type ParsedContentType, parseContentType } from './request/content-type.js';
export { decodeHttpRequest, type HttpRequestMessage } from './request/decode-request.js';
export { parseQuery, queryFields } from './request/query.js';
export { pathForTo, toFromPath } from './request/target.js';
export { parseTokens } from './request/tokens.js';
export { contentLocation } from './response/content-location.js';
export {
  type EncodeResponseOptions,
  encodeHttpResponse,
  type HttpResponseMessage,
} from './response/encode-response.js';
export { httpStatusFor, httpStatusTable } from './response/status-mapping.js';
export { decodeHttpResponse, type HttpResponseIn } from './sender/decode-response.js';
export { type EncodedHttpRequest, encodeHttpRequest, encodeQuery } from './sender/encode-request.js';
export { HttpRequestSender, type HttpRequestSenderOptions } from './sender/http-request-sender.js';
export {
  createHttpBinding,
  type HttpBinding,
  type HttpBindingOptions,
  type ListenOptions,
} from './server/create-binding.js';
export { normalisePeerAddress } from './transport/peer-address.js';
export {
  httpTransportContextBuilder,
  type TransportContextBuilder,
  type TransportContextOptions,
} from './transport/transport-context.js';
