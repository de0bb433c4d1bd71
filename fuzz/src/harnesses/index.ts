// Every harness, in the order `pnpm fuzz` runs them.

import type { Harness } from '../harness.js';
import configFile from './config-file.js';
import { certificateDer, csrDer } from './der.js';
import estBody from './est-body.js';
import { filterObject, filterQuery } from './filter-criteria.js';
import gbaDigest from './gba-digest.js';
import httpRequest from './http-request.js';
import { mqttPayload, mqttTopic } from './mqtt-request.js';
import pskIdentity from './psk-identity.js';
import resourceContent from './resource-content.js';
import token from './token.js';
import { dskppXml, pskc } from './xml.js';

export const harnesses: Harness<any>[] = [
  httpRequest,
  mqttPayload,
  mqttTopic,
  resourceContent,
  filterQuery,
  filterObject,
  pskIdentity,
  certificateDer,
  csrDer,
  estBody,
  dskppXml,
  pskc,
  token,
  gbaDigest,
  configFile,
];
