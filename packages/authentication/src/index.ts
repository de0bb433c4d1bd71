export { type AuthenticationInput, type AuthenticationResult, authenticateRequest } from './receiver-rules.js';
