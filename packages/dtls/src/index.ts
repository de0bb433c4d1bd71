export { type DtlsConnectOptions, DtlsHandshakeError, dtlsConnect } from './client.js';
export { DtlsUnavailableError, dtlsAvailable, loadDtls } from './native.js';
export { cipherList, ECDHE_ECDSA_SUITES, PSK_SUITES } from './profile.js';
export { DtlsServer, type DtlsServerOptions } from './server.js';
export { type DtlsPeer, DtlsSession } from './session.js';
