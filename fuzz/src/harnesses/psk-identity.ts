// psk_identity values of every framework, as a TLS handshake hands them over before anything is proven:
// DerivedKey identities, KcIDs (MAF), KeIDs (MEF), KpsaIDs, KmIDs, Credential-IDs, and From values.
import {
  CryptoInputError,
  parseCredentialID,
  parseKcKeyIdentifier,
  parseKeID,
  parseKmID,
  parseKpsaID,
} from '@m2msec/crypto';
import { M2MError, parseOriginator } from '@m2msec/protocol';
import { parseDerivedKeyIdentity, SaefError } from '@m2msec/saef';
import * as fc from 'fast-check';
import { harness } from '../harness.js';
import { textInput } from '../mutate.js';

const parsers: Array<(s: string) => unknown> = [
  parseDerivedKeyIdentity,
  parseKcKeyIdentifier,
  parseKeID,
  parseKpsaID,
  parseKmID,
  parseCredentialID,
  parseOriginator,
];
const seeds = [
  'DK.ta1.Cdevice.0000000000000005',
  'DK.ta-2.C1.ffffffffffffffff',
  '0a1b2c3d4e5f60718293a4b5c6d7e8f9@maf.m2msec.org',
  '00112233445566778899aabbccddeeff@mef.m2msec.org',
  'kpsa-1@m2msec.org',
  'km-7@maf.m2msec.org',
  '1-kpsa-1@m2msec.org',
  '12-AAAAAAAAAAAAAAAAAAAAAA@bsf.m2msec.org',
  '//m2msec.org/id-in/Cmeter',
  '/id-in/Cmeter',
  'Cmeter',
];

export default harness({
  name: 'psk-identity',
  parses:
    'saef parseDerivedKeyIdentity, crypto parseKcKeyIdentifier/KeID/KpsaID/KmID/CredentialID, protocol parseOriginator',
  input: fc.tuple(fc.nat(parsers.length - 1), textInput(seeds)),
  run([i, s]) {
    parsers[i]!(s);
  },
  refusal: (e) => e instanceof SaefError || e instanceof CryptoInputError || e instanceof M2MError,
});
