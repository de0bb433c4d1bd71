// @m2msec/binding-mqtt: the oneM2M MQTT protocol binding (TS-0010 v3.1.0 clauses 6 and 7).

export { MqttOriginator, type MqttOriginatorOptions, type SendOptions } from './client/mqtt-originator.js';
export {
  brokerUrls,
  defaultPskCiphers,
  type MqttConnectOptions,
  type MqttTlsOptions,
  mqttClientOptions,
} from './connection/connect-options.js';
export { type MessageListener, MqttConnection } from './connection/mqtt-connection.js';
export { type EdgeRouteHandlerOptions, edgeRouteHandler } from './edge/edge-handler.js';
export type { BindingLogger } from './lib/logger.js';
export { decodeRequestPayload, RequestDecodeError } from './primitive/decode-request.js';
export { decodeResponsePayload } from './primitive/decode-response.js';
export { encodeRequestPayload } from './primitive/encode-request.js';
export { encodeResponsePayload } from './primitive/encode-response.js';
export { checkRequestExpiry } from './primitive/expiry.js';
export { brokerOf, MqttRequestSender, type MqttRequestSenderOptions } from './sender/mqtt-request-sender.js';
export { destinationFor, type MqttDestination, receiverForTarget } from './sender/receiver.js';
export { AnsweredRequests, type AnsweredRequestsOptions } from './server/answered-requests.js';
export {
  createMqttBinding,
  type MqttBinding,
  type MqttBindingOptions,
  type MqttRegistration,
} from './server/create-binding.js';
export { clientIdForAe, clientIdForCse } from './topics/client-id.js';
export { escapeId, isTopicLevel, unescapeCredentialId, unescapeId } from './topics/escape-id.js';
export {
  formatTopic,
  type OneM2MTopic,
  parseTopic,
  responseKind,
  subscriptionFilter,
  type TopicKind,
} from './topics/topics.js';
export {
  MQTT_BROKER_FRAMEWORK,
  mqttTransportContext,
  topicOriginatorId,
} from './transport/transport-context.js';
