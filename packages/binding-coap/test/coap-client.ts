// Runs Debian's libcoap `coap-client-openssl` (the independent peer) and returns what it printed.
import { spawn } from 'node:child_process';

export interface CoapClientResult {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

export function coapClient(args: string[], timeoutMs = 8000): Promise<CoapClientResult> {
  return new Promise((resolve) => {
    // -B bounds the wait, -v 0 keeps the output to the payload; errors go to stderr.
    const p = spawn('coap-client-openssl', ['-B', String(Math.ceil(timeoutMs / 1000) - 1), ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    let err = '';
    p.stdout.on('data', (d: Buffer) => out.push(d));
    p.stderr.on('data', (d) => {
      err += d.toString();
    });
    const t = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.on('close', (code) => {
      clearTimeout(t);
      resolve({ code, stdout: Buffer.concat(out), stderr: err });
    });
  });
}

/** Options for oneM2M parameters as coap-client `-O num,text` arguments. */
export function oneM2mArgs(opts: { fr?: string; rqi: string; ty?: number; rvi?: string }): string[] {
  const a = ['-O', `283,${opts.rqi}`];
  if (opts.fr !== undefined) a.push('-O', `279,${opts.fr}`);
  if (opts.ty !== undefined) a.push('-O', `267,0x${opts.ty.toString(16).padStart(2, '0')}`);
  if (opts.rvi !== undefined) a.push('-O', `271,${opts.rvi}`);
  return a;
}
