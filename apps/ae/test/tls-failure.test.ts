// A TLS failure towards the registrar is a plain sentence naming what failed and the option to check
// (issue 19 item 6), never the raw OpenSSL text: the AE process against real TLS listeners (node:tls,
// openssl-made PKI) with a wrong PSK, trust anchors that do not hold the CSE's CA, a certificate the
// listener refuses and a servername the CSE certificate does not carry.
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import tls from 'node:tls';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const main = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'main.ts');
const dir = mkdtempSync(join(tmpdir(), 'm2msec-ae-tls-'));
const file = (name: string) => join(dir, name);
const openssl = (args: string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
const goodKey = randomBytes(32);
const wrongKey = randomBytes(32);
const servers: tls.Server[] = [];
const port = (s: tls.Server) => (s.address() as AddressInfo).port;
let psk: tls.Server;
let cert: tls.Server;
let mutual: tls.Server;

function selfSigned(name: string) {
  openssl([
    'req',
    '-x509',
    ...ec,
    '-days',
    '1',
    '-subj',
    `/CN=${name}`,
    '-keyout',
    file(`${name}.key`),
    '-out',
    file(`${name}.crt`),
  ]);
}
function issued(name: string, san: string) {
  openssl(['req', ...ec, '-subj', `/CN=${name}`, '-keyout', file(`${name}.key`), '-out', file(`${name}.csr`)]);
  writeFileSync(file(`${name}.ext`), `subjectAltName=${san}\n`);
  openssl([
    'x509',
    '-req',
    '-in',
    file(`${name}.csr`),
    '-CA',
    file('ca.crt'),
    '-CAkey',
    file('ca.key'),
    '-CAcreateserial',
    '-days',
    '1',
    '-extfile',
    file(`${name}.ext`),
    '-out',
    file(`${name}.crt`),
  ]);
}
const listen = async (s: tls.Server) => {
  s.on('tlsClientError', () => undefined);
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return s;
};
// A listener that answers any request with a 200 once the handshake succeeded (it never gets that far).
const answer = (c: tls.TLSSocket) => {
  c.on('error', () => undefined);
  c.on('data', () => c.end('HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n'));
};

beforeAll(async () => {
  selfSigned('ca');
  selfSigned('other-ca');
  issued('cse', 'DNS:cse.local,IP:127.0.0.1');
  issued('ae', 'URI:urn:ae');
  for (const [name, key] of [
    ['good.psk', goodKey],
    ['wrong.psk', wrongKey],
  ] as const)
    writeFileSync(file(name), key.toString('hex'), { mode: 0o600 });
  for (const k of ['ca', 'other-ca', 'cse', 'ae']) execFileSync('chmod', ['600', file(`${k}.key`)]);
  psk = await listen(
    tls.createServer(
      {
        ciphers: 'PSK-AES128-GCM-SHA256:ECDHE-PSK-AES128-CBC-SHA256',
        maxVersion: 'TLSv1.2',
        pskCallback: () => goodKey,
      },
      answer,
    ),
  );
  const serverCert = { cert: readFileSync(file('cse.crt')), key: readFileSync(file('cse.key')) };
  cert = await listen(tls.createServer(serverCert, answer));
  mutual = await listen(
    tls.createServer(
      { ...serverCert, ca: readFileSync(file('ca.crt')), requestCert: true, rejectUnauthorized: true },
      answer,
    ),
  );
}, 60_000);

afterAll(async () => {
  for (const s of servers) await new Promise((r) => s.close(r));
  rmSync(dir, { recursive: true, force: true });
});

/** Runs `m2msec-ae run` with this transport; its exit code, the error line and stderr. */
async function runAe(name: string, transport: Record<string, unknown>) {
  const config = file(`${name}.json`);
  writeFileSync(
    config,
    JSON.stringify({ registrar: { cseId: '/id-in', cseBaseName: 'cse-in' }, appId: 'Ntls', transport }),
  );
  // Asynchronous: the listeners run in this process.
  const child = spawn(process.execPath, ['--import', 'tsx', main, 'run', '--config', config], {
    env: { ...process.env, NODE_OPTIONS: '--conditions=source' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const code = await new Promise((r) => child.once('exit', r));
  const line = JSON.parse(stdout.trim().split('\n').at(-1)!) as { event: string; message: string };
  expect(line.event).toBe('error');
  expect(stderr).toBe(`ae: ${line.message}\n`);
  // Never the raw OpenSSL text, never a key.
  expect(stderr).not.toMatch(/SSL routines|error:[0-9A-F]{8}|alert number|\.c:\d+|^\s+at /m);
  for (const k of [goodKey, wrongKey]) expect(stderr + stdout).not.toContain(k.toString('hex'));
  return { code, message: line.message };
}

describe('the AE explains TLS failures', () => {
  it('a wrong PSK: names the identity, the key file to check, the alert', async () => {
    const url = `https://127.0.0.1:${port(psk)}`;
    const r = await runAe('psk', { kind: 'http', url, psk: { identity: 'kpsa-ae1', keyFile: file('wrong.psk') } });
    expect(r.code).toBe(1);
    expect(r.message).toBe(
      `failed: the TLS-PSK handshake with ${url} failed: the CSE did not accept the key for PSK identity 'kpsa-ae1' ` +
        `(TLS alert: bad record mac). Check transport.psk.keyFile (${file('wrong.psk')}) holds the key the CSE has ` +
        'for this identity, and transport.psk.identity',
    );
  }, 180_000);

  it('trust anchors without the CSE certificate’s CA: names the option and the files', async () => {
    const url = `https://127.0.0.1:${port(cert)}`;
    const r = await runAe('wrong-ca', {
      kind: 'http',
      url,
      certificate: {
        cert: file('ae.crt'),
        key: file('ae.key'),
        trustAnchors: [file('other-ca.crt')],
        servername: 'cse.local',
      },
    });
    expect(r.message).toMatch(
      new RegExp(
        `^failed: the CSE's certificate at ${url} is not issued by a CA this AE trusts \\((UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT_LOCALLY)\\): ` +
          `check transport.certificate.trustAnchors \\(now: ${file('other-ca.crt')}\\)`,
      ),
    );
  }, 180_000);

  it('a certificate the listener refuses, and a servername the CSE certificate lacks', async () => {
    const url = `https://127.0.0.1:${port(mutual)}`;
    const refused = await runAe('refused', {
      kind: 'http',
      url,
      certificate: {
        cert: file('other-ca.crt'),
        key: file('other-ca.key'),
        trustAnchors: [file('ca.crt')],
        servername: 'cse.local',
      },
    });
    expect(refused.message).toMatch(/^failed: the TLS handshake with .* failed: the CSE refused this AE's certificate/);
    expect(refused.message).toContain(`Check transport.certificate.cert (${file('other-ca.crt')})`);
    const name = await runAe('name', {
      kind: 'http',
      url: `https://127.0.0.1:${port(cert)}`,
      certificate: {
        cert: file('ae.crt'),
        key: file('ae.key'),
        trustAnchors: [file('ca.crt')],
        servername: 'cse.example',
      },
    });
    expect(name.message).toMatch(/does not name 'cse.example': check transport.certificate.servername/);
  }, 180_000);

  it('nothing listening: names transport.url', async () => {
    const s = await listen(tls.createServer({}));
    const p = port(s);
    await new Promise((r) => s.close(r));
    servers.pop();
    const r = await runAe('refused-conn', {
      kind: 'http',
      url: `https://127.0.0.1:${p}`,
      psk: { identity: 'x', keyFile: file('good.psk') },
    });
    expect(r.message).toBe(
      `failed: nothing listens at https://127.0.0.1:${p}: check transport.url and that the CSE is running`,
    );
  }, 180_000);
});
