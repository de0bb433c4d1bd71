// An openssl-made PKI for the certificate listener: a TLS root with the MEF's server certificate,
// and a manufacturer root with a device (bootstrap) certificate (@m2msec/test-support's openssl CA).
// Independent of the MEF's EST CA.
import { spawnSync } from 'node:child_process';
import { TestCa } from '@m2msec/test-support';

export function ok(cmd: string, args: string[], input?: string | Buffer): Buffer {
  const r = spawnSync(cmd, args, { input, timeout: 60_000 });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr.toString()}`);
  return r.stdout;
}

export interface MefPki {
  tlsRoot: string;
  serverCert: string;
  serverKey: string;
  mfrRoot: string;
  deviceCert: string;
  deviceKey: string;
  deviceSan: string;
}

export function makePki(dir: string, mefFqdn: string): MefPki {
  const tlsRoot = new TestCa('tls-root', { root: dir, nameConstraints: '' });
  const server = tlsRoot.issue({ san: `DNS:${mefFqdn},IP:127.0.0.1`, cn: 'mef-server', usage: 'server' });
  const mfr = new TestCa('mfr-root', { root: dir, nameConstraints: '' });
  const deviceSan = 'urn:dev:ops:m2msec-0001';
  const device = mfr.issue({ san: `URI:${deviceSan}`, cn: 'device', usage: 'client' });
  return {
    tlsRoot: tlsRoot.certPath,
    serverCert: server.certPath,
    serverKey: server.keyPath,
    mfrRoot: mfr.certPath,
    deviceCert: device.certPath,
    deviceKey: device.keyPath,
    deviceSan,
  };
}
