// The MN-CSE's `endToEnd` section is the IN-CSE's (same schema, docs/end-to-end-security.md): every key
// source it names must be configured, a key file must be the owner's only, and typos stop the process.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';

const main = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'main.js');
const dir = mkdtempSync(join(tmpdir(), 'm2msec-mn-e2e-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

function configWith(extra: Record<string, unknown>): string {
  const file = join(dir, `config-${++n}.json`);
  writeFileSync(
    file,
    JSON.stringify({ registrar: { url: 'http://127.0.0.1:1', plainHttp: true }, dataDir: join(dir, 'data'), ...extra }),
  );
  return file;
}
const load = (extra: Record<string, unknown>) => loadConfig({ M2MSEC_CONFIG: configWith(extra) });

describe('MN-CSE endToEnd configuration', () => {
  it('takes the IN-CSE sub-schemas: MEF, MAF and ESCertKE sources beside key files', () => {
    const c = load({
      security: {
        mef: {
          url: 'https://127.0.0.1:1',
          fqdn: 'mef.x',
          targetId: '/id-mn',
          pskIdentity: 'mn',
          keyFile: 'k',
          suid: 22,
        },
        maf: { url: 'https://127.0.0.1:1', fqdn: 'maf.x', kmId: 'km@maf.x', adminFQDN: 'sp.x' },
      },
      endToEnd: {
        esprim: { keys: [], mefProvisioned: true, mafDistributed: true, randLifetimeSeconds: 60 },
        escertke: { cert: 'c.pem', key: 'k.pem', trustAnchors: ['ca.pem'], initiators: ['/id-mn/*'] },
      },
    });
    expect(c.endToEnd?.esprim.mefProvisioned).toBe(true);
    expect(c.endToEnd?.escertke?.initiators).toEqual(['/id-mn/*']);
  });

  it('refuses a key source that is not configured, and unknown members', () => {
    expect(() => load({ endToEnd: { esprim: { keys: [], mefProvisioned: true } } })).toThrow(
      /endToEnd\.esprim\.mefProvisioned needs security\.mef/,
    );
    expect(() => load({ endToEnd: { esprim: { keys: [], mafDistributed: true } } })).toThrow(
      /endToEnd\.esprim\.mafDistributed needs security\.maf/,
    );
    expect(() => load({ endToEnd: { esprim: { keys: [], mefProvisoned: true } } })).toThrow(/mefProvisoned/);
    expect(() =>
      load({
        endToEnd: { esprim: { keys: [] }, escertke: { cert: 'c', key: 'k', trustAnchors: ['a'], initiators: ['*'] } },
      }),
    ).toThrow(/initiators/);
  });

  it('the process refuses an ESCertKE private key readable by others, naming the chmod', () => {
    const key = join(dir, 'escertke.key');
    writeFileSync(key, '-----BEGIN PRIVATE KEY-----\n-----END PRIVATE KEY-----\n');
    chmodSync(key, 0o644);
    const file = configWith({
      http: { host: '127.0.0.1', port: 0, maxBodyBytes: 1048576 },
      endToEnd: { esprim: { keys: [] }, escertke: { cert: key, key, trustAnchors: [key], initiators: ['/id-mn/*'] } },
    });
    const r = spawnSync(process.execPath, [main], {
      encoding: 'utf8',
      timeout: 30_000,
      env: { ...process.env, M2MSEC_CONFIG: file },
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/ESCertKE private key \(endToEnd\.escertke\.key\)/);
    expect(r.stderr).toMatch(/chmod/);
  });
});
