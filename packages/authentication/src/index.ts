export {
  type AuthenticationInput,
  type AuthenticationResult,
  type AuthenticatorOptions,
  authenticateRequest,
  createAuthenticator,
  type Principal,
} from './receiver-rules.js';
