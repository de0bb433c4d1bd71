import { spawn, spawnSync } from 'node:child_process';
import { afterAll, beforeAll, it } from 'vitest';
import { type SecureTarget, startSecureTarget } from '../../src/nodes/secure-in-cse.js';

let t: SecureTarget;
beforeAll(async () => {
  t = await startSecureTarget({ aes: ['Cmallory'] });
});
afterAll(async () => t?.stop());
it('probe', async () => {
  const c = t.certs.Cmallory!;
  const base = [
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
  for (const extra of [
    ['-tls1', '-cipher', 'DEFAULT@SECLEVEL=0'],
    ['-tls1_1', '-cipher', 'DEFAULT@SECLEVEL=0'],
    ['-tls1_2', '-cipher', 'NULL:eNULL@SECLEVEL=0'],
    ['-tls1_2', '-cipher', 'RC4@SECLEVEL=0'],
    ['-tls1_2', '-cipher', '3DES@SECLEVEL=0'],
    ['-tls1_2'],
  ]) {
    const r = spawnSync('openssl', [...base, ...extra], { input: '', encoding: 'utf8', timeout: 10000 });
    console.log(
      extra.join(' '),
      r.status,
      (r.stdout.match(/Protocol *: .*|Cipher is .*/g) ?? []).join('|'),
      r.stderr
        .split('\n')
        .filter((l) => /error|alert/i.test(l))
        .slice(0, 2)
        .join(' / '),
    );
  }
  const p = spawn('openssl', [...base, '-tls1_2'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  p.stdout.on('data', (d) => (out += d));
  p.stderr.on('data', (d) => (out += d));
  await new Promise((r) => setTimeout(r, 1500));
  p.stdin.write('R\n');
  await new Promise((r) => setTimeout(r, 1500));
  p.stdin.write('GET /cse-in HTTP/1.1\r\nHost: x\r\nX-M2M-Origin: Cmallory\r\nX-M2M-RI: 1\r\nX-M2M-RVI: 3\r\n\r\n');
  await new Promise((r) => setTimeout(r, 1500));
  p.kill();
  console.log(
    'RENEG:',
    out
      .split('\n')
      .filter((l) => /RENEG|error|alert|HTTP\/1.1|verify return|Protocol/i.test(l))
      .join('\n'),
  );
});
