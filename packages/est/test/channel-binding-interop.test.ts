// Channel binding checked against independent TLS stacks, not against this package's own client:
// - tls-unique (TLS 1.2, RFC 5929): CPython's ssl computes it (full and resumed handshakes);
// - tls-exporter (TLS 1.3, RFC 9266): `openssl s_client -keymatexport EXPORTER-Channel-Binding`.
// In both, `openssl req` puts base64 of the value in challengePassword and the server runs with
// its default channelBinding: 'require'.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  makePki,
  ok,
  opensslCsr,
  opensslPrintCerts,
  type Pki,
  type RunningServer,
  runAsync,
  startCertServer,
  writeTemp,
} from './helpers.js';

const PYTHON = '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('./fixtures/tls_unique_client.py', import.meta.url));
const SAN = 'URI:https://m2m.example.com/Cae-cb';

let pki: Pki;
let server: RunningServer;

beforeAll(async () => {
  pki = await makePki();
  server = await startCertServer(pki, { authorize: () => 'allow' });
});
afterAll(async () => {
  await server?.close();
  await pki?.cleanup();
});

function files() {
  return {
    ca: writeTemp(pki.dir, 'tls-root.pem', pki.tlsRootPem),
    cert: writeTemp(pki.dir, 'device.pem', pki.deviceCertPem),
    key: writeTemp(pki.dir, 'device.key', pki.deviceKeyPem),
  };
}

function expectIssued(httpResponse: string) {
  const sep = httpResponse.indexOf('\r\n\r\n');
  expect(httpResponse.slice(0, sep)).toMatch(/^HTTP\/1\.1 200/);
  const leaf = writeTemp(pki.dir, 'cb.pem', opensslPrintCerts(httpResponse.slice(sep + 4)));
  expect(ok('openssl', ['verify', '-CAfile', writeTemp(pki.dir, 'ca.pem', pki.caPem), leaf])).toMatch(/: OK/);
}

describe('tls-unique from CPython ssl (TLS 1.2)', () => {
  for (const resume of [false, true]) {
    it(resume ? 'resumed handshake (server Finished first)' : 'full handshake (client Finished first)', async () => {
      const f = files();
      const r = await runAsync(PYTHON, [
        SCRIPT,
        '127.0.0.1',
        String(server.port),
        f.ca,
        f.cert,
        f.key,
        pki.dir,
        SAN,
        resume ? '1' : '0',
      ]);
      expect(r.status, r.stderr).toBe(0);
      const out = JSON.parse(r.stdout.toString()) as { reused: boolean; response: string };
      expect(out.reused).toBe(resume);
      expectIssued(out.response);
    });
  }

  it('the same CSR on another session is refused with 403', async () => {
    // a challengePassword that is a syntactically valid tls-unique (12 bytes) of no session
    const { der } = opensslCsr(pki.dir, 'stale', '/CN=py', SAN, Buffer.alloc(12, 1).toString('base64'));
    const f = files();
    const r = await runAsync(
      'curl',
      [
        '-sS',
        '--max-time',
        '60',
        '--tls-max',
        '1.2',
        '--cacert',
        f.ca,
        '--cert',
        f.cert,
        '--key',
        f.key,
        '-H',
        'Content-Type: application/pkcs10',
        '--data-binary',
        '@-',
        '-o',
        '-',
        '-w',
        '%{http_code}',
        `${server.url}/simpleenroll`,
      ],
      Buffer.from(der).toString('base64'),
    );
    expect(r.stdout.toString()).toMatch(/403$/);
  });
});

describe('tls-exporter from openssl s_client (TLS 1.3)', () => {
  it('EXPORTER-Channel-Binding, 32 bytes, in challengePassword', async () => {
    const f = files();
    const child = spawn('openssl', [
      's_client',
      '-connect',
      `127.0.0.1:${server.port}`,
      '-servername',
      'localhost',
      '-tls1_3',
      '-CAfile',
      f.ca,
      '-cert',
      f.cert,
      '-key',
      f.key,
      '-keymatexport',
      'EXPORTER-Channel-Binding',
      '-keymatexportlen',
      '32',
      '-ign_eof',
    ]);
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    let out = '';
    let sent = false;
    const done = new Promise<void>((resolve) => child.on('close', () => resolve()));
    child.stderr.resume();
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString('latin1');
      const m = /Keying material:\s*\n?\s*([0-9A-Fa-f]{64})/.exec(out);
      const exported = m?.[1];
      if (exported && !sent) {
        sent = true;
        const password = Buffer.from(exported, 'hex').toString('base64');
        const { der } = opensslCsr(pki.dir, 'tls13', '/CN=py', SAN, password);
        const body = Buffer.from(der).toString('base64');
        child.stdin.end(
          `POST /.well-known/est/simpleenroll HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/pkcs10\r\n` +
            `Content-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
        );
      }
    });
    await done;
    clearTimeout(timer);
    expect(sent).toBe(true);
    expect(out).toContain('Protocol  : TLSv1.3');
    expectIssued(out.slice(out.indexOf('HTTP/1.1 ')));
  });
});
