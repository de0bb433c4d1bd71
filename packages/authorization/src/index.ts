export { checkSetOfAcrs, compileRule, compileRuleSet } from './compile.js';
export { compileContexts } from './contexts/compile-contexts.js';
export { compileIpAddresses, parseRequestIp } from './contexts/ip.js';
export { compileLocationRegion, EARTH_RADIUS_M, greatCircleDistance } from './contexts/location.js';
export { compileScheduleEntry, requestTime } from './contexts/window.js';
export {
  ADMINISTRATOR,
  CREATOR_DEFAULT,
  type Decision,
  deny,
  rulePermit,
} from './decision/decision.js';
export {
  AccessDecisionPoint,
  type AccessExplanation,
  type DecisionPointOptions,
  type Evaluation,
  hasPolicyLinks,
} from './decision/decision-point.js';
export type {
  CredentialResources,
  DasClient,
  DecisionResource,
  DecisionSubject,
  GroupMembership,
  PolicyRetrieval,
  RequestState,
  StoredRole,
  StoredToken,
} from './decision/ports.js';
export {
  DasAnswerError,
  type DasRequest,
  type DasResponse,
  dasRequestContent,
  dasResponseContent,
  parseDasRequest,
  parseDasResponse,
  SecurityInfoType,
} from './dynamic/security-info.js';
export { AccessDecisionEngine, type PolicySelection, type PrivilegeSet, selection } from './engine.js';
export { AccessControlRuleError } from './errors.js';
export { type ExplainedPolicy, type Explanation, explainDecision, type RuleVerdict } from './explain.js';
export { countriesAt, isCountryCode } from './location/country.js';
export {
  type LocationQuery,
  type LocationSource,
  type StaticLocation,
  StaticLocationSource,
} from './location/source.js';
export { compileObjectDetails } from './rules/object-details.js';
export {
  type AcorEntry,
  classifyAcorEntry,
  compileOriginators,
  isRoleId,
  originatorSegments,
} from './rules/originators.js';
export {
  fromJwtClaims,
  isTokenId,
  type TokenClaimSet,
  type TokenPermission,
  toJwtClaims,
  unverifiedTokenId,
} from './tokens/claims.js';
export { type IssueTokenOptions, issueToken } from './tokens/issue-token.js';
export { TokenCache } from './tokens/token-cache.js';
export { TokenError, type TokenRefusal } from './tokens/token-error.js';
export {
  type CompiledTokenPermission,
  localResourceId,
  normaliseId,
  type TokenDecryption,
  type TokenKey,
  TokenVerifier,
  type TokenVerifierOptions,
  type TrustedTokenIssuer,
  tokenGrants,
  type VerifiedToken,
  type VerifyTokenInput,
} from './tokens/verify-token.js';
export type {
  AccessControlContext,
  AccessControlObjectDetails,
  AccessControlPolicyResource,
  AccessControlRule,
  AccessRequest,
  CompiledRuleSet,
  GeoLocation,
  RequestIp,
  RequestTime,
  SetOfAcrs,
} from './types.js';
