// Writing the four DSKPP PDUs (RFC 6063 sections 4.2, 5.2, schema of section 8). Child elements are
// namespace-qualified (dskpp:), as in the RFC's examples.
import { toBase64 } from '../lib/bytes.js';
import type { DskppStatus } from '../lib/status.js';
import { DSKPP_VERSION, NS_DS, NS_DSKPP, NS_PSKC } from '../lib/uris.js';
import { deviceInfoXml } from '../pskc/key-container.js';
import { el, XML_DECLARATION } from '../xml/write.js';
import type { AuthenticationData, KeyProvClientHello, KeyProvClientNonce, KeyProvServerHello } from './types.js';

const NS_ATTRS = { 'xmlns:dskpp': NS_DSKPP, 'xmlns:pskc': NS_PSKC, 'xmlns:ds': NS_DS };

const algorithms = (name: string, uris: readonly string[]) =>
  el(
    `dskpp:${name}`,
    {},
    uris.map((u) => el('dskpp:Algorithm', {}, u)),
  );

function authenticationDataXml(ad: AuthenticationData): string {
  return el('dskpp:AuthenticationData', {}, [
    ...(ad.clientId !== undefined ? [el('dskpp:ClientID', {}, ad.clientId)] : []),
    el('dskpp:AuthenticationCodeMac', {}, [
      ...(ad.iterationCount !== undefined ? [el('dskpp:IterationCount', {}, String(ad.iterationCount))] : []),
      el('dskpp:Mac', { MacAlgorithm: ad.macAlgorithm }, toBase64(ad.mac ?? new Uint8Array())),
    ]),
  ]);
}

type Omit2<T> = Omit<T, 'type' | 'version' | 'criticalExtensions'>;

export function encodeClientHello(m: Omit2<KeyProvClientHello>): string {
  const variants = m.protocolVariants
    ? [
        el('dskpp:SupportedProtocolVariants', {}, [
          ...(m.protocolVariants.fourPass ? [el('dskpp:FourPass', {})] : []),
          ...(m.protocolVariants.twoPass?.length
            ? [
                el(
                  'dskpp:TwoPass',
                  {},
                  m.protocolVariants.twoPass.flatMap((o) => [
                    el('dskpp:SupportedKeyProtectionMethod', {}, o.method),
                    ...(o.keyName !== undefined
                      ? [el('dskpp:Payload', {}, [el('ds:KeyInfo', {}, [el('ds:KeyName', {}, o.keyName)])])]
                      : []),
                  ]),
                ),
              ]
            : []),
        ]),
      ]
    : [];
  return (
    XML_DECLARATION +
    el('dskpp:KeyProvClientHello', { ...NS_ATTRS, Version: DSKPP_VERSION }, [
      ...(m.device
        ? [el('dskpp:DeviceIdentifierData', {}, [el('dskpp:DeviceId', {}, deviceInfoXml('pskc', m.device))])]
        : []),
      ...(m.keyId ? [el('dskpp:KeyID', {}, toBase64(m.keyId))] : []),
      ...(m.clientNonce ? [el('dskpp:ClientNonce', {}, toBase64(m.clientNonce))] : []),
      algorithms('SupportedKeyTypes', m.supportedKeyTypes),
      algorithms('SupportedEncryptionAlgorithms', m.supportedEncryptionAlgorithms),
      algorithms('SupportedMacAlgorithms', m.supportedMacAlgorithms),
      ...variants,
      ...(m.supportedKeyPackages
        ? [
            el(
              'dskpp:SupportedKeyPackages',
              {},
              m.supportedKeyPackages.map((f) => el('dskpp:KeyPackageFormat', {}, f)),
            ),
          ]
        : []),
      ...(m.authenticationData ? [authenticationDataXml(m.authenticationData)] : []),
    ])
  );
}

type ServerHelloInput = Required<
  Omit<Omit2<KeyProvServerHello>, 'status' | 'encryptionKeyName' | 'encryptionCertificate'>
> &
  ({ encryptionKeyName: string } | { encryptionCertificate: Uint8Array });

export function encodeServerHello(m: ServerHelloInput): string {
  const encryptionKey =
    'encryptionCertificate' in m
      ? el('ds:X509Data', {}, [el('ds:X509Certificate', {}, toBase64(m.encryptionCertificate))])
      : el('ds:KeyName', {}, m.encryptionKeyName);
  return (
    XML_DECLARATION +
    el(
      'dskpp:KeyProvServerHello',
      { ...NS_ATTRS, Version: DSKPP_VERSION, SessionID: m.sessionId, Status: 'Continue' },
      [
        el('dskpp:KeyType', {}, m.keyType),
        el('dskpp:EncryptionAlgorithm', {}, m.encryptionAlgorithm),
        el('dskpp:MacAlgorithm', {}, m.macAlgorithm),
        el('dskpp:EncryptionKey', {}, [encryptionKey]),
        el('dskpp:KeyPackageFormat', {}, m.keyPackageFormat),
        el('dskpp:Payload', {}, [el('dskpp:Nonce', {}, toBase64(m.serverNonce))]),
      ],
    )
  );
}

export function encodeClientNonce(m: Omit2<KeyProvClientNonce>): string {
  return (
    XML_DECLARATION +
    el('dskpp:KeyProvClientNonce', { ...NS_ATTRS, Version: DSKPP_VERSION, SessionID: m.sessionId }, [
      el('dskpp:EncryptedNonce', {}, toBase64(m.encryptedNonce)),
      ...(m.authenticationData ? [authenticationDataXml(m.authenticationData)] : []),
    ])
  );
}

export interface ServerFinishedInput {
  sessionId?: string;
  serverId?: string;
  keyProtectionMethod?: string;
  /** Markup from buildKeyContainer. */
  keyContainerXml: string;
  mac: Uint8Array;
  macAlgorithm: string;
}

export function encodeServerFinished(m: ServerFinishedInput): string {
  return (
    XML_DECLARATION +
    el(
      'dskpp:KeyProvServerFinished',
      { ...NS_ATTRS, Version: DSKPP_VERSION, SessionID: m.sessionId, Status: 'Success' },
      [
        el('dskpp:KeyPackage', {}, [
          ...(m.serverId !== undefined ? [el('dskpp:ServerID', {}, m.serverId)] : []),
          ...(m.keyProtectionMethod !== undefined ? [el('dskpp:KeyProtectionMethod', {}, m.keyProtectionMethod)] : []),
          m.keyContainerXml,
        ]),
        el('dskpp:Mac', { MacAlgorithm: m.macAlgorithm }, toBase64(m.mac)),
      ],
    )
  );
}

/**
 * An error response: KeyProvServerFinished carrying only the status (RFC 6063 section 3.3; the
 * final message of a run that failed, in either variant).
 */
export function encodeErrorResponse(status: Exclude<DskppStatus, 'Continue' | 'Success'>, sessionId?: string): string {
  return (
    XML_DECLARATION +
    el('dskpp:KeyProvServerFinished', {
      'xmlns:dskpp': NS_DSKPP,
      Version: DSKPP_VERSION,
      SessionID: sessionId,
      Status: status,
    })
  );
}
