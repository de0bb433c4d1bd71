// Independent schema check: every message this package writes (both variants, all four PDUs, an
// error response) is valid for xmllint (libxml2) against schema/dskpp.xsd + the RFC 6030 PSKC schema
// from Debian's libpskc0, and xmllint rejects the malformed messages the built-in validator rejects.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { fourPassHello, fourPassNego } from '../src/four-pass/client.js';
import {
  type DskppClientCredentials,
  DskppError,
  DskppServer,
  decodeMessage,
  encodeErrorResponse,
  MemoryClientRegistry,
  MemoryProvisionedKeyStore,
} from '../src/index.js';
import { twoPassHello } from '../src/two-pass/client.js';
import { makePki } from './certs.js';
import { clientRecord, DEVICE, run, writeTemp } from './helpers.js';

const XSD = join(dirname(fileURLToPath(import.meta.url)), '..', 'schema', 'dskpp.xsd');
const CATALOG = '/usr/share/xml/pskc/catalog-pskc.xml';

function xmllint(xml: string): { ok: boolean; output: string } {
  const r = run('xmllint', ['--noout', '--nonet', '--schema', XSD, writeTemp('m.xml', xml)], undefined, {
    XML_CATALOG_FILES: CATALOG,
  });
  return { ok: r.status === 0, output: r.stderr };
}

describe('xmllint --schema schema/dskpp.xsd', () => {
  it('has its tools (libxml2-utils, libpskc0 schemas)', () => {
    expect(run('xmllint', ['--version']).status).toBe(0);
    expect(existsSync(CATALOG)).toBe(true);
  });

  const record = clientRecord();
  const URL_S = 'https://mef.example/dskpp';
  const server = new DskppServer({
    mode: 'stateless',
    serverUrl: URL_S,
    serverId: 'mef.example',
    clients: new MemoryClientRegistry([record]),
    keys: new MemoryProvisionedKeyStore(),
    stateKeys: [{ id: 1, key: new Uint8Array(32).fill(9) }],
  });
  // The device's side of the record (the MEF's registered transport public key is not a client credential).
  const creds: DskppClientCredentials = {
    serverUrl: URL_S,
    clientId: record.clientId,
    authenticationCode: record.authenticationCode,
    sharedKey: record.sharedKey,
    device: DEVICE,
  };

  it('accepts every message of a 4-pass and a 2-pass run and an error response', async () => {
    const messages: string[] = [];
    const hello = fourPassHello(creds);
    const serverHello = (await server.handle(hello)).body;
    const { negoXml } = fourPassNego(creds, serverHello, 'shared-key', hello);
    const finished = (await server.handle(negoXml)).body;
    const { helloXml: hello2 } = twoPassHello(creds);
    const finished2 = (await server.handle(hello2)).body;
    messages.push(hello, serverHello, negoXml, finished, hello2, finished2, encodeErrorResponse('AccessDenied', 'x'));
    for (const m of messages) {
      const r = xmllint(m);
      expect(r.ok, `${r.output}\n${m}`).toBe(true);
    }
  });

  it('accepts every message of a public-key 4-pass run (X509Data in EncryptionKey, RSA-OAEP EncryptedNonce)', async () => {
    const pki = makePki('mef.example');
    const pkServer = new DskppServer({
      mode: 'stateless',
      serverUrl: URL_S,
      serverId: 'mef.example',
      clients: new MemoryClientRegistry([record]),
      keys: new MemoryProvisionedKeyStore(),
      stateKeys: [{ id: 1, key: new Uint8Array(32).fill(9) }],
      publicKeyTransport: { certificate: pki.serverCertPem, privateKey: pki.serverKeyPem },
    });
    const c = { ...creds, serverTrust: { anchors: [pki.caPem], serverName: 'mef.example' } };
    const hello = fourPassHello(c, 'public-key');
    const serverHello = (await pkServer.handle(hello)).body;
    const { negoXml } = fourPassNego(c, serverHello, 'public-key', hello);
    const finished = await pkServer.handle(negoXml);
    expect(finished.status).toBe('Success');
    for (const m of [hello, serverHello, negoXml, finished.body]) {
      const r = xmllint(m);
      expect(r.ok, `${r.output}\n${m}`).toBe(true);
    }
  }, 60_000);

  it.each([
    [
      'a missing required element',
      (h: string) => h.replace(/<dskpp:SupportedMacAlgorithms>.*?<\/dskpp:SupportedMacAlgorithms>/, ''),
    ],
    [
      'a short nonce',
      (h: string) =>
        h.replace('<dskpp:SupportedKeyTypes>', '<dskpp:ClientNonce>AAAA</dskpp:ClientNonce><dskpp:SupportedKeyTypes>'),
    ],
    [
      'elements out of order',
      (h: string) =>
        h
          .replace(/(<dskpp:SupportedKeyPackages>.*?<\/dskpp:SupportedKeyPackages>)/, '')
          .replace(
            '<dskpp:SupportedKeyTypes>',
            '<dskpp:SupportedKeyPackages><dskpp:KeyPackageFormat>urn:x</dskpp:KeyPackageFormat></dskpp:SupportedKeyPackages><dskpp:SupportedKeyTypes>',
          ),
    ],
    ['an unknown status', () => encodeErrorResponse('Abort').replace('Status="Abort"', 'Status="Oops"')],
  ])('rejects %s, as does decodeMessage', (_name, mutate) => {
    const bad = mutate(fourPassHello(creds));
    const r = xmllint(bad);
    expect(r.ok).toBe(false);
    expect(r.output).toMatch(/fails to validate/);
    expect(r.output).not.toMatch(/Schemas parser error/);
    expect(() => decodeMessage(bad)).toThrow(DskppError);
  });
});
