// Reading a received DSKPP document: well-formedness, known PDU, supported Version, then the
// section 8 schema rules (structure, required elements, lengths), then the typed form.
// Failure statuses: UnknownRequest (not a DSKPP PDU), UnsupportedVersion, MalformedRequest.
import type { Element } from '@xmldom/xmldom';
import { fromBase64 } from '../lib/bytes.js';
import { DskppError } from '../lib/errors.js';
import type { DskppStatus } from '../lib/status.js';
import { DSKPP_VERSION, NS_DS, NS_DSKPP, NS_PSKC } from '../lib/uris.js';
import { readDevice, readKeyContainer, serializeKeyContainer } from '../pskc/key-container.js';
import { attr, child, childElements, children, text } from '../xml/dom.js';
import { parseXml } from '../xml/parse.js';
import { validateElement } from '../xml/validate.js';
import { PDU_TYPES, type PduName } from './schema.js';
import type {
  AuthenticationData,
  DskppMessage,
  KeyPackage,
  KeyProtectionOffer,
  KeyProvClientHello,
  KeyProvClientNonce,
  KeyProvServerFinished,
  KeyProvServerHello,
} from './types.js';

const dchild = (e: Element, name: string) => child(e, NS_DSKPP, name);
const dtext = (e: Element, name: string) => {
  const c = dchild(e, name);
  return c ? text(c) : undefined;
};
const uriList = (e: Element, name: string) =>
  children(dchild(e, name) as Element, NS_DSKPP, 'Algorithm').map((a) => text(a));

function criticalExtensions(e: Element): number {
  const ext = dchild(e, 'Extensions');
  if (!ext) return 0;
  return children(ext, NS_DSKPP, 'Extension').filter((x) => ['true', '1'].includes(attr(x, 'Critical') ?? '')).length;
}

function readAuthenticationData(e: Element | undefined): AuthenticationData | undefined {
  if (!e) return undefined;
  const ad: AuthenticationData = {};
  const clientId = dtext(e, 'ClientID');
  if (clientId !== undefined) ad.clientId = clientId;
  const acm = dchild(e, 'AuthenticationCodeMac');
  const iterations = acm && dtext(acm, 'IterationCount');
  if (iterations !== undefined) {
    const n = Number(iterations.trim());
    if (!Number.isSafeInteger(n)) throw new DskppError('MalformedRequest', 'IterationCount is not an integer');
    ad.iterationCount = n;
  }
  const mac = acm && dchild(acm, 'Mac');
  if (mac) {
    ad.mac = fromBase64(text(mac), 'AuthenticationCodeMac/Mac');
    const alg = attr(mac, 'MacAlgorithm');
    if (alg !== undefined) ad.macAlgorithm = alg;
  }
  return ad;
}

function readKeyName(e: Element | undefined): string | undefined {
  const kn = e && child(e, NS_DS, 'KeyName');
  return kn ? text(kn) : undefined;
}

function readClientHello(e: Element): KeyProvClientHello {
  const m: KeyProvClientHello = {
    type: 'KeyProvClientHello',
    version: attr(e, 'Version') as string,
    supportedKeyTypes: uriList(e, 'SupportedKeyTypes'),
    supportedEncryptionAlgorithms: uriList(e, 'SupportedEncryptionAlgorithms'),
    supportedMacAlgorithms: uriList(e, 'SupportedMacAlgorithms'),
    criticalExtensions: criticalExtensions(e),
  };
  const did = dchild(e, 'DeviceIdentifierData');
  const device = did ? readDevice(dchild(did, 'DeviceId')) : undefined;
  if (device) m.device = device;
  const keyId = dtext(e, 'KeyID');
  if (keyId !== undefined) m.keyId = fromBase64(keyId, 'KeyID');
  const nonce = dtext(e, 'ClientNonce');
  if (nonce !== undefined) m.clientNonce = fromBase64(nonce, 'ClientNonce');
  const variants = dchild(e, 'SupportedProtocolVariants');
  if (variants) {
    const twoPass = dchild(variants, 'TwoPass');
    const offers: KeyProtectionOffer[] = [];
    if (twoPass) {
      for (const c of childElements(twoPass)) {
        if (c.localName === 'SupportedKeyProtectionMethod') offers.push({ method: text(c) });
        else {
          // Payload belongs to the method before it (KeyProtectionDataType sequence).
          const last = offers[offers.length - 1];
          if (!last || last.keyName !== undefined) {
            throw new DskppError('MalformedRequest', 'TwoPass: Payload must follow its SupportedKeyProtectionMethod');
          }
          const keyName = readKeyName(child(c, NS_DS, 'KeyInfo'));
          if (keyName !== undefined) last.keyName = keyName;
        }
      }
    }
    m.protocolVariants = { fourPass: !!dchild(variants, 'FourPass'), ...(twoPass ? { twoPass: offers } : {}) };
  }
  const kp = dchild(e, 'SupportedKeyPackages');
  if (kp) m.supportedKeyPackages = children(kp, NS_DSKPP, 'KeyPackageFormat').map((f) => text(f));
  const ad = readAuthenticationData(dchild(e, 'AuthenticationData'));
  if (ad) m.authenticationData = ad;
  return m;
}

function readServerHello(e: Element): KeyProvServerHello {
  const m: KeyProvServerHello = {
    type: 'KeyProvServerHello',
    version: attr(e, 'Version') as string,
    status: attr(e, 'Status') as DskppStatus,
  };
  const sessionId = attr(e, 'SessionID');
  if (sessionId !== undefined) m.sessionId = sessionId;
  if (!dchild(e, 'KeyType')) return m;
  m.keyType = dtext(e, 'KeyType') as string;
  m.encryptionAlgorithm = dtext(e, 'EncryptionAlgorithm') as string;
  m.macAlgorithm = dtext(e, 'MacAlgorithm') as string;
  const encryptionKey = dchild(e, 'EncryptionKey');
  const keyName = readKeyName(encryptionKey);
  if (keyName !== undefined) m.encryptionKeyName = keyName;
  const x509 = encryptionKey && child(encryptionKey, NS_DS, 'X509Data');
  const certificate = x509 && child(x509, NS_DS, 'X509Certificate');
  if (certificate) m.encryptionCertificate = fromBase64(text(certificate), 'EncryptionKey/X509Certificate');
  m.keyPackageFormat = dtext(e, 'KeyPackageFormat') as string;
  const nonce = dchild(dchild(e, 'Payload') as Element, 'Nonce');
  if (nonce) m.serverNonce = fromBase64(text(nonce), 'Payload/Nonce');
  return m;
}

function readClientNonce(e: Element): KeyProvClientNonce {
  const m: KeyProvClientNonce = {
    type: 'KeyProvClientNonce',
    version: attr(e, 'Version') as string,
    sessionId: attr(e, 'SessionID') as string,
    encryptedNonce: fromBase64(dtext(e, 'EncryptedNonce') as string, 'EncryptedNonce'),
    criticalExtensions: criticalExtensions(e),
  };
  const ad = readAuthenticationData(dchild(e, 'AuthenticationData'));
  if (ad) m.authenticationData = ad;
  return m;
}

function readServerFinished(e: Element): KeyProvServerFinished {
  const m: KeyProvServerFinished = {
    type: 'KeyProvServerFinished',
    version: attr(e, 'Version') as string,
    status: attr(e, 'Status') as DskppStatus,
  };
  const sessionId = attr(e, 'SessionID');
  if (sessionId !== undefined) m.sessionId = sessionId;
  const pkg = dchild(e, 'KeyPackage');
  if (!pkg) return m;
  const kc = child(pkg, NS_PSKC, 'KeyContainer');
  if (!kc) throw new DskppError('NoSupportedKeyPackages', 'KeyPackage does not hold a PSKC KeyContainer');
  const keyPackage: KeyPackage = { keyContainerXml: serializeKeyContainer(kc), keyContainer: readKeyContainer(kc) };
  const serverId = dtext(pkg, 'ServerID');
  if (serverId !== undefined) keyPackage.serverId = serverId;
  const kpm = dtext(pkg, 'KeyProtectionMethod');
  if (kpm !== undefined) keyPackage.keyProtectionMethod = kpm;
  m.keyPackage = keyPackage;
  const mac = dchild(e, 'Mac') as Element;
  m.mac = fromBase64(text(mac), 'Mac');
  const alg = attr(mac, 'MacAlgorithm');
  if (alg !== undefined) m.macAlgorithm = alg;
  return m;
}

const READERS: Record<PduName, (e: Element) => DskppMessage> = {
  KeyProvClientHello: readClientHello,
  KeyProvServerHello: readServerHello,
  KeyProvClientNonce: readClientNonce,
  KeyProvServerFinished: readServerFinished,
};

/** Decodes and validates any DSKPP PDU. Throws DskppError with the status a server would answer. */
export function decodeMessage(xml: string): DskppMessage {
  const root = parseXml(xml);
  const name = root.localName as PduName;
  if (root.namespaceURI !== NS_DSKPP || !Object.hasOwn(PDU_TYPES, name)) {
    throw new DskppError('UnknownRequest', `{${root.namespaceURI ?? ''}}${root.localName} is not a DSKPP message`);
  }
  const version = attr(root, 'Version');
  if (version !== undefined && /^\d{1,2}\.\d{1,3}$/.test(version) && version !== DSKPP_VERSION) {
    throw new DskppError('UnsupportedVersion', `DSKPP version ${version} is not supported (only ${DSKPP_VERSION})`);
  }
  validateElement(root, PDU_TYPES[name], `/${name}`);
  return READERS[name](root);
}
