// The part of the PSKC KeyContainer schema (RFC 6030 section 11) that DSKPP key packages use here,
// for validating received containers. pskctool --validate (libpskc) is the independent check in tests.
import { NS_DS, NS_PSKC, NS_XENC } from '../lib/uris.js';
import {
  anyText,
  anyUri,
  base64Text,
  dateTimeText,
  type ElementType,
  nonEmpty,
  oneOf,
  type Particle,
  versionText,
} from '../xml/validate.js';

const str: ElementType = { content: { kind: 'text', check: anyText } };
const p = (name: string, type: ElementType, min = 0, max = 1): Particle => ({ ns: NS_PSKC, name, type, min, max });

export const KEY_USAGES = [
  'OTP',
  'CR',
  'Encrypt',
  'Integrity',
  'Verify',
  'Unlock',
  'Decrypt',
  'KeyWrap',
  'Unwrap',
  'Derive',
  'Generate',
] as const;

/** ds:KeyInfoType, restricted to what DSKPP pre-shared keys need: KeyName. */
export const keyInfoType: ElementType = {
  attributes: { Id: { check: anyText } },
  content: {
    kind: 'elements',
    particles: [{ ns: NS_DS, name: 'KeyName', type: { content: { kind: 'text', check: nonEmpty } } }],
  },
};

export const deviceInfoType: ElementType = {
  content: {
    kind: 'elements',
    particles: [
      p('Manufacturer', str),
      p('SerialNo', str),
      p('Model', str),
      p('IssueNo', str),
      p('DeviceBinding', str),
      p('StartDate', { content: { kind: 'text', check: dateTimeText } }),
      p('ExpiryDate', { content: { kind: 'text', check: dateTimeText } }),
      p('UserId', str),
    ],
  },
};

const encryptedValueType: ElementType = {
  attributes: {
    Id: { check: anyText },
    Type: { check: anyUri },
    MimeType: { check: anyText },
    Encoding: { check: anyUri },
  },
  content: {
    kind: 'elements',
    particles: [
      {
        ns: NS_XENC,
        name: 'EncryptionMethod',
        type: { attributes: { Algorithm: { required: true, check: anyUri } }, content: { kind: 'empty' } },
      },
      {
        ns: NS_XENC,
        name: 'CipherData',
        type: {
          content: {
            kind: 'elements',
            particles: [
              { ns: NS_XENC, name: 'CipherValue', type: { content: { kind: 'text', check: base64Text(24, 1024) } } },
            ],
          },
        },
      },
    ],
  },
};

const keyType: ElementType = {
  attributes: { Id: { required: true, check: nonEmpty }, Algorithm: { check: anyUri } },
  content: {
    kind: 'elements',
    particles: [
      p('Issuer', str),
      p('FriendlyName', str),
      p('Data', {
        content: {
          kind: 'elements',
          particles: [
            p('Secret', {
              content: { kind: 'elements', particles: [p('EncryptedValue', encryptedValueType, 1)] },
            }),
          ],
        },
      }),
      p('UserId', str),
      p('Policy', {
        content: {
          kind: 'elements',
          particles: [
            p('StartDate', { content: { kind: 'text', check: dateTimeText } }),
            p('ExpiryDate', { content: { kind: 'text', check: dateTimeText } }),
            p('KeyUsage', { content: { kind: 'text', check: oneOf(KEY_USAGES) } }, 0, 11),
          ],
        },
      }),
    ],
  },
};

/** KeyContainer with one KeyPackage (DSKPP provisions one key per run). */
export const keyContainerType: ElementType = {
  attributes: { Version: { required: true, check: versionText }, Id: { check: anyText } },
  content: {
    kind: 'elements',
    particles: [
      p('EncryptionKey', keyInfoType),
      p(
        'KeyPackage',
        {
          content: {
            kind: 'elements',
            particles: [p('DeviceInfo', deviceInfoType), p('Key', keyType, 1)],
          },
        },
        1,
      ),
    ],
  },
};
