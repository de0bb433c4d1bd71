// Runs `openssl s_client -dtls1_2` (the independent peer) against a port and reports what it saw.
import { spawn } from 'node:child_process';

export interface SClientResult {
  output: string;
  handshake: boolean;
  cipher?: string;
}

export function sClient(port: number, args: string[], send = 'ping\n', waitMs = 1500): Promise<SClientResult> {
  return new Promise((resolve) => {
    const p = spawn('openssl', ['s_client', '-dtls1_2', '-connect', `127.0.0.1:${port}`, '-ign_eof', ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let output = '';
    p.stdout.on('data', (d) => {
      output += d.toString();
    });
    p.stderr.on('data', (d) => {
      output += d.toString();
    });
    p.stdin.on('error', () => {}); // s_client may have exited after a failed handshake
    setTimeout(() => p.stdin.write(send), 600);
    const timer = setTimeout(() => p.kill('SIGTERM'), waitMs);
    p.on('close', () => {
      clearTimeout(timer);
      const m = /Cipher is (\S+)/.exec(output);
      const handshake = m !== null && output.includes('SSL-Session:') && !/alert|:error:/i.test(output);
      resolve({ output, handshake, ...(m && handshake ? { cipher: m[1] } : {}) });
    });
  });
}
