export { CoapsRequestSender, type CoapsRequestSenderOptions } from './client/coaps-request-sender.js';
export { encodeCoapRequest } from './client/encode-request.js';
export {
  CoapFormatError,
  type CoapMessage,
  type CoapOption,
  CoapType,
  parseCoap,
  serializeCoap,
} from './message/codec.js';
export { ContentFormat, Opt } from './message/options.js';
export { decodeCoapRequest } from './request/decode-request.js';
export { toFromUriPath, uriPathForTo } from './request/target.js';
export { encodeCoapResponse } from './response/encode-response.js';
export { coapCodeFor, coapCodeTable } from './response/status-mapping.js';
export { CoapEndpoint, type CoapEndpointOptions } from './server/coap-endpoint.js';
export {
  type CoapBinding,
  type CoapBindingOptions,
  type CoapListenerLimits,
  createCoapBinding,
} from './server/create-binding.js';
export { coapTransportContext, type DtlsSessionFacts } from './transport/transport-context.js';
