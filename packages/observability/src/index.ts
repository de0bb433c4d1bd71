export {
  type AdminListener,
  type AdminListenerOptions,
  type ReadinessCheck,
  readiness,
  startAdminListener,
} from './admin-listener.js';
export { configSummary } from './config-summary.js';
export { createLogger, type Logger, type LoggerOptions, type LogLevel, REDACTED_PATHS } from './logger.js';
export { Metrics, type MetricsOptions } from './metrics.js';
export { associationType, authenticatedIdentity, type ObserveOptions, observeHandler } from './observe-handler.js';
export { refusalReasonOf } from './refusal.js';
export {
  type HandshakeRefusal,
  handshakeCompleted,
  handshakeRefused,
  type LifecycleEvent,
  lifecycle,
} from './security-event.js';
export { timeResourceStore } from './timed-store.js';
export { explainTlsClientError, type TlsClientContext } from './tls-client-error.js';
export { explainTlsFailure, type TlsFailure, tlsHandshakeFailed } from './tls-failure.js';
