// Independent TLS peers (openssl s_client, gnutls-cli) run as processes, and a small Node TLS server.
import { spawn } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { createServer, type Server, type TLSSocket, type TlsOptions } from 'node:tls';

export interface PeerResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a client process with `input` on stdin; resolves when it exits (killed after timeoutMs). */
export function runPeer(cmd: string, args: string[], input: string, timeoutMs = 10_000): Promise<PeerResult> {
  return new Promise((resolve) => {
    const p = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    const t = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.on('close', (code) => {
      clearTimeout(t);
      resolve({ code, stdout, stderr });
    });
    p.stdin.on('error', () => undefined);
    p.stdin.end(input);
  });
}

export function opensslPsk(port: number, identity: string, keyHex: string, input: string, extra: string[] = []) {
  return runPeer(
    'openssl',
    ['s_client', '-connect', `127.0.0.1:${port}`, '-psk', keyHex, '-psk_identity', identity, '-quiet', ...extra],
    input,
  );
}

export function gnutlsPsk(port: number, identity: string, keyHex: string, input: string) {
  return runPeer(
    'gnutls-cli',
    [
      '--pskusername',
      identity,
      '--pskkey',
      keyHex,
      '--priority',
      'NORMAL:-VERS-TLS1.3:+PSK:-DHE-PSK:-ECDHE-PSK',
      '-p',
      String(port),
      '127.0.0.1',
    ],
    input,
  );
}

/** A Node TLS server answering every connection with "ok <identity>" through `greet`. */
export async function echoServer(
  options: TlsOptions,
  greet: (s: TLSSocket) => string | Promise<string>,
): Promise<{ server: Server; port: number; errors: string[] }> {
  const errors: string[] = [];
  const server = createServer(options, (s) => {
    s.on('error', () => undefined);
    void Promise.resolve(greet(s)).then((g) => {
      if (!s.destroyed) s.end(`${g}\n`);
    });
  });
  server.on('tlsClientError', (e) => errors.push((e as { code?: string }).code ?? e.message));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as AddressInfo).port, errors };
}
