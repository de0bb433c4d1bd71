// Independent tools the tests cross-check against: osmo-auc-gen (libosmocore Milenage) and openssl.
import { spawn, spawnSync } from 'node:child_process';

export function run(cmd: string, args: string[], input?: Uint8Array | string): string {
  const r = spawnSync(cmd, args, { input, encoding: 'buffer', timeout: 30_000 });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${cmd} exited ${r.status}: ${r.stderr.toString()}${r.stdout.toString()}`);
  return r.stdout.toString();
}

/** osmo-auc-gen -3 -a milenage; its "NAME:\tvalue" lines as a map (RES, CK, IK, AUTN, SQN, IMS nonce ...). */
export function osmoAucGen(args: string[]): Record<string, string> {
  const out = run('osmo-auc-gen', ['-3', '-a', 'milenage', ...args]);
  const fields: Record<string, string> = {};
  for (const line of out.split('\n')) {
    const m = /^([A-Za-z .-]+):\s+(.*)$/.exec(line.trim());
    if (m) fields[m[1]!] = m[2]!.trim();
  }
  return fields;
}

/** MD5 hex of the given bytes by `openssl dgst -md5`. */
export function opensslMd5(data: Uint8Array | string): string {
  const out = run('openssl', ['dgst', '-md5', '-r'], typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
  return out.trim().split(/\s+/)[0]!.toLowerCase();
}

/** `openssl s_client` with a PSK: resolves with its output once the server closes the connection. */
export function opensslPskClient(
  port: number,
  identity: string,
  pskHex: string,
  input: string,
): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('openssl', [
      's_client',
      '-connect',
      `127.0.0.1:${port}`,
      '-tls1_2',
      '-cipher',
      'PSK-AES128-CBC-SHA256',
      '-psk',
      pskHex,
      '-psk_identity',
      identity,
      '-quiet',
      '-no_ign_eof',
    ]);
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      out += d.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
    child.stdin.end(input);
  });
}

export const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
