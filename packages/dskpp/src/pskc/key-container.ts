// PSKC KeyContainer (RFC 6030) as the DSKPP key package (RFC 6063 section 8, KeyPackage): key
// metadata (Id, Algorithm, Issuer, validity, usages), the device it is bound to, and in the 2-pass
// key wrap profile the key itself, AES-KW wrapped under K_SHARED (RFC 6030 section 6.1 with a key
// wrap algorithm, which needs no separate MACMethod).
import { type Element, XMLSerializer } from '@xmldom/xmldom';
import { fromBase64, toBase64 } from '../lib/bytes.js';
import { clientFailure, DskppError } from '../lib/errors.js';
import { NS_DS, NS_PSKC, NS_XENC } from '../lib/uris.js';
import type { DeviceIdentity } from '../messages/types.js';
import { attr, child, children, text } from '../xml/dom.js';
import { parseXml } from '../xml/parse.js';
import { validateElement } from '../xml/validate.js';
import { el } from '../xml/write.js';
import { type KEY_USAGES, keyContainerType } from './schema.js';

export type PskcKeyUsage = (typeof KEY_USAGES)[number];

export interface KeyContainerInfo {
  keyId: string;
  algorithm: string;
  issuer?: string;
  device?: DeviceIdentity;
  startDate?: string;
  expiryDate?: string;
  usages: PskcKeyUsage[];
  /** Present in the key wrap profile: KeyName of the wrapping key and the wrapped secret. */
  encrypted?: { keyName: string; algorithm: string; cipherValue: Uint8Array };
}

const xsDateTime = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

export function deviceInfoXml(prefix: string, device: DeviceIdentity): string[] {
  const out: string[] = [];
  if (device.manufacturer !== undefined) out.push(el(`${prefix}:Manufacturer`, {}, device.manufacturer));
  if (device.serialNo !== undefined) out.push(el(`${prefix}:SerialNo`, {}, device.serialNo));
  if (device.model !== undefined) out.push(el(`${prefix}:Model`, {}, device.model));
  return out;
}

export interface BuildKeyContainerInput {
  keyId: string;
  algorithm: string;
  issuer: string;
  device?: DeviceIdentity;
  notBefore: number;
  notAfter: number;
  usages: readonly PskcKeyUsage[];
  encrypted?: { keyName: string; algorithm: string; cipherValue: Uint8Array };
}

/** A standalone KeyContainer document fragment with its own namespace declarations. */
export function buildKeyContainer(input: BuildKeyContainerInput): string {
  const key = el('pskc:Key', { Id: input.keyId, Algorithm: input.algorithm }, [
    el('pskc:Issuer', {}, input.issuer),
    ...(input.encrypted
      ? [
          el('pskc:Data', {}, [
            el('pskc:Secret', {}, [
              el('pskc:EncryptedValue', {}, [
                el('xenc:EncryptionMethod', { Algorithm: input.encrypted.algorithm }),
                el('xenc:CipherData', {}, [el('xenc:CipherValue', {}, toBase64(input.encrypted.cipherValue))]),
              ]),
            ]),
          ]),
        ]
      : []),
    el('pskc:Policy', {}, [
      el('pskc:StartDate', {}, xsDateTime(input.notBefore)),
      el('pskc:ExpiryDate', {}, xsDateTime(input.notAfter)),
      ...input.usages.map((u) => el('pskc:KeyUsage', {}, u)),
    ]),
  ]);
  const device = input.device ? deviceInfoXml('pskc', input.device) : [];
  return el('pskc:KeyContainer', { 'xmlns:pskc': NS_PSKC, 'xmlns:ds': NS_DS, 'xmlns:xenc': NS_XENC, Version: '1.0' }, [
    ...(input.encrypted ? [el('pskc:EncryptionKey', {}, [el('ds:KeyName', {}, input.encrypted.keyName)])] : []),
    el('pskc:KeyPackage', {}, [...(device.length ? [el('pskc:DeviceInfo', {}, device)] : []), key]),
  ]);
}

export function readDevice(e: Element | undefined): DeviceIdentity | undefined {
  if (!e) return undefined;
  const get = (n: string) => {
    const c = child(e, NS_PSKC, n);
    return c ? text(c) : undefined;
  };
  const device: DeviceIdentity = {};
  const manufacturer = get('Manufacturer');
  const serialNo = get('SerialNo');
  const model = get('Model');
  if (manufacturer !== undefined) device.manufacturer = manufacturer;
  if (serialNo !== undefined) device.serialNo = serialNo;
  if (model !== undefined) device.model = model;
  return device;
}

/** Reads a KeyContainer element already validated against keyContainerType. */
export function readKeyContainer(kc: Element): KeyContainerInfo {
  const pkg = child(kc, NS_PSKC, 'KeyPackage') as Element;
  const key = child(pkg, NS_PSKC, 'Key') as Element;
  const info: KeyContainerInfo = {
    keyId: attr(key, 'Id') as string,
    algorithm: attr(key, 'Algorithm') ?? '',
    usages: [],
  };
  const issuer = child(key, NS_PSKC, 'Issuer');
  if (issuer) info.issuer = text(issuer);
  const device = readDevice(child(pkg, NS_PSKC, 'DeviceInfo'));
  if (device) info.device = device;
  const policy = child(key, NS_PSKC, 'Policy');
  if (policy) {
    const start = child(policy, NS_PSKC, 'StartDate');
    const expiry = child(policy, NS_PSKC, 'ExpiryDate');
    if (start) info.startDate = text(start);
    if (expiry) info.expiryDate = text(expiry);
    info.usages = children(policy, NS_PSKC, 'KeyUsage').map((u) => text(u) as PskcKeyUsage);
  }
  const secret = child(key, NS_PSKC, 'Data') && child(child(key, NS_PSKC, 'Data') as Element, NS_PSKC, 'Secret');
  if (secret) {
    const ev = child(secret, NS_PSKC, 'EncryptedValue') as Element;
    const method = child(ev, NS_XENC, 'EncryptionMethod') as Element;
    const cipherData = child(ev, NS_XENC, 'CipherData') as Element;
    const encryptionKey = child(kc, NS_PSKC, 'EncryptionKey');
    if (!encryptionKey)
      throw clientFailure('KeyPackageInvalid', 'KeyContainer has an encrypted secret but no EncryptionKey');
    info.encrypted = {
      keyName: text(child(encryptionKey, NS_DS, 'KeyName') as Element),
      algorithm: attr(method, 'Algorithm') as string,
      cipherValue: fromBase64(text(child(cipherData, NS_XENC, 'CipherValue') as Element), 'CipherValue'),
    };
  }
  return info;
}

/** The KeyContainer element as a standalone document (the serializer adds the namespace declarations). */
export function serializeKeyContainer(kc: Element): string {
  return new XMLSerializer().serializeToString(kc);
}

/** Parses and validates a standalone KeyContainer document (as produced by buildKeyContainer). */
export function parseKeyContainer(xml: string): KeyContainerInfo {
  const root = parseXml(xml);
  if (root.namespaceURI !== NS_PSKC || root.localName !== 'KeyContainer') {
    throw new DskppError('MalformedRequest', 'not a PSKC KeyContainer');
  }
  validateElement(root, keyContainerType, '/KeyContainer');
  return readKeyContainer(root);
}
