// The DSKPP message schema (RFC 6063 section 8) as validator tables: the four PDUs, their element
// order and occurrences, simple-type checks and the nonce lengths of this implementation
// (R_C, R_S: 16..64 octets, as RFC 6063 section 4.1 asks for at least 128 bits).

import { DSKPP_STATUS_CODES } from '../lib/status.js';
import { NS_DS, NS_DSKPP, NS_PSKC } from '../lib/uris.js';
import { deviceInfoType, keyContainerType, keyInfoType } from '../pskc/schema.js';
import {
  anyUri,
  base64Text,
  booleanText,
  type ElementType,
  identifier,
  intText,
  nonEmpty,
  oneOf,
  type Particle,
  versionText,
} from '../xml/validate.js';

export const NONCE_MIN = 16;
export const NONCE_MAX = 64;
/** An RSA-OAEP EncryptedNonce is as long as the modulus: up to 4096-bit keys are accepted. */
export const ENCRYPTED_NONCE_MAX = 512;

const d = (name: string, type: ElementType, min = 1, max = 1): Particle => ({ ns: NS_DSKPP, name, type, min, max });
const uri: ElementType = { content: { kind: 'text', check: anyUri } };
const nonce: ElementType = { content: { kind: 'text', check: base64Text(NONCE_MIN, NONCE_MAX) } };

const algorithms: ElementType = {
  content: { kind: 'elements', particles: [d('Algorithm', uri, 1, 64)] },
};

const extensions: ElementType = {
  content: {
    kind: 'elements',
    particles: [
      d('Extension', { attributes: { Critical: { check: booleanText } }, content: { kind: 'opaque' } }, 1, 64),
    ],
  },
};

const macType: ElementType = {
  attributes: { MacAlgorithm: { check: anyUri } },
  content: { kind: 'text', check: base64Text(1, 64) },
};

const authenticationMacType: ElementType = {
  content: {
    kind: 'elements',
    particles: [
      d('Nonce', nonce, 0),
      d('IterationCount', { content: { kind: 'text', check: intText } }, 0),
      d('Mac', macType),
    ],
  },
};

const authenticationData: ElementType = {
  content: {
    kind: 'elements',
    particles: [
      d('ClientID', { content: { kind: 'text', check: identifier } }, 0),
      { choice: [d('AuthenticationCodeMac', authenticationMacType), { anyOther: NS_DSKPP }] },
    ],
  },
};

const payload: ElementType = {
  content: { kind: 'elements', particles: [{ choice: [d('Nonce', nonce), { anyOther: NS_DSKPP }] }] },
};

const protocolVariants: ElementType = {
  content: {
    kind: 'elements',
    particles: [
      d('FourPass', { content: { kind: 'empty' } }, 0),
      d(
        'TwoPass',
        {
          content: {
            kind: 'elements',
            // KeyProtectionDataType: (SupportedKeyProtectionMethod, Payload?)+ — flattened, order checked below.
            particles: [{ choice: [d('SupportedKeyProtectionMethod', uri), d('Payload', payload)], min: 1, max: 32 }],
          },
        },
        0,
      ),
    ],
  },
};

const deviceIdentifierData: ElementType = {
  content: {
    kind: 'elements',
    particles: [{ choice: [d('DeviceId', deviceInfoType), d('Extension', { content: { kind: 'opaque' } })] }],
  },
};

const requestAttributes = { Version: { required: true, check: versionText } };
const responseAttributes = {
  Version: { required: true, check: versionText },
  SessionID: { check: identifier },
  Status: { required: true, check: oneOf(DSKPP_STATUS_CODES) },
};

export const clientHelloType: ElementType = {
  attributes: requestAttributes,
  content: {
    kind: 'elements',
    particles: [
      d('DeviceIdentifierData', deviceIdentifierData, 0),
      d('KeyID', { content: { kind: 'text', check: base64Text(1, 128) } }, 0),
      d('ClientNonce', nonce, 0),
      d('SupportedKeyTypes', algorithms),
      d('SupportedEncryptionAlgorithms', algorithms),
      d('SupportedMacAlgorithms', algorithms),
      d('SupportedProtocolVariants', protocolVariants, 0),
      d('SupportedKeyPackages', { content: { kind: 'elements', particles: [d('KeyPackageFormat', uri, 1, 16)] } }, 0),
      d('AuthenticationData', authenticationData, 0),
      d('Extensions', extensions, 0),
    ],
  },
};

/**
 * KeyProvServerHello/EncryptionKey (ds:KeyInfoType): the KeyName of K_SHARED, or, in the public-key
 * profile, one X509Data holding the server certificate.
 */
const encryptionKeyType: ElementType = {
  attributes: keyInfoType.attributes ?? {},
  content: {
    kind: 'elements',
    particles: [
      {
        choice: [
          { ns: NS_DS, name: 'KeyName', type: { content: { kind: 'text', check: nonEmpty } } },
          {
            ns: NS_DS,
            name: 'X509Data',
            type: {
              content: {
                kind: 'elements',
                particles: [
                  {
                    ns: NS_DS,
                    name: 'X509Certificate',
                    type: { content: { kind: 'text', check: base64Text(64, 16384) } },
                  },
                ],
              },
            },
          },
        ],
      },
    ],
  },
};

export const serverHelloType: ElementType = {
  attributes: responseAttributes,
  content: {
    kind: 'elements',
    optionalGroup: true,
    particles: [
      d('KeyType', uri),
      d('EncryptionAlgorithm', uri),
      d('MacAlgorithm', uri),
      d('EncryptionKey', encryptionKeyType),
      d('KeyPackageFormat', uri),
      d('Payload', payload),
      d('Extensions', extensions, 0),
      d('Mac', macType, 0),
    ],
  },
};

export const clientNonceType: ElementType = {
  attributes: { ...requestAttributes, SessionID: { required: true, check: identifier } },
  content: {
    kind: 'elements',
    particles: [
      d('EncryptedNonce', { content: { kind: 'text', check: base64Text(NONCE_MIN + 8, ENCRYPTED_NONCE_MAX) } }),
      d('AuthenticationData', authenticationData, 0),
      d('Extensions', extensions, 0),
    ],
  },
};

export const serverFinishedType: ElementType = {
  attributes: responseAttributes,
  content: {
    kind: 'elements',
    optionalGroup: true,
    particles: [
      d('KeyPackage', {
        content: {
          kind: 'elements',
          particles: [
            d('ServerID', uri, 0),
            d('KeyProtectionMethod', uri, 0),
            { choice: [{ ns: NS_PSKC, name: 'KeyContainer', type: keyContainerType }, { anyOther: NS_DSKPP }] },
          ],
        },
      }),
      d('Extensions', extensions, 0),
      d('Mac', macType),
      d('AuthenticationData', authenticationMacType, 0),
    ],
  },
};

export const PDU_TYPES = {
  KeyProvClientHello: clientHelloType,
  KeyProvServerHello: serverHelloType,
  KeyProvClientNonce: clientNonceType,
  KeyProvServerFinished: serverFinishedType,
} as const;

export type PduName = keyof typeof PDU_TYPES;
