// <token> (TS-0004 7.4.41, TS-0001 9.6.39): a Token Repository's copy of an issued token (tokenObject,
// m2m:dynAuthJWT) with optional plaintext details. The token is verified when a request names its
// tokenID (pipeline/access-state.ts); here its form and tokenID are checked.
import { isTokenId, unverifiedTokenId } from '@m2msec/authorization';
import { M2MError, ResourceType, ResponseStatusCode } from '@m2msec/protocol';
import type { ResourceTypeHandler } from './handler.js';

const bad = (message: string): never => {
  throw new M2MError(ResponseStatusCode.BAD_REQUEST, message);
};

const JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
const JWE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

export const tokenHandler: ResourceTypeHandler = {
  ty: ResourceType.token,
  parents: [ResourceType.CSEBase],
  hasAcpi: true,
  idPrefix: 'tok',
  create({ attrs }) {
    if (!isTokenId(attrs.tkid))
      bad(`tokenID (tkid) '${String(attrs.tkid).slice(0, 64)}' is not name@fqdn (m2m:tokenID)`);
    const tkob = attrs.tkob as string;
    if (JWS.test(tkob)) {
      const jti = unverifiedTokenId(tkob);
      if (jti === undefined) bad('tokenObject (tkob) is not a JWT: its claims carry no tokenID (jti)');
      if (jti !== attrs.tkid) bad('tokenObject (tkob) carries another tokenID (jti) than tkid');
    } else if (!JWE.test(tkob)) bad('tokenObject (tkob) is not a JWS or JWE compact serialisation (m2m:dynAuthJWT)');
  },
};
