// The IN-CSE's endToEnd.esprim configuration (docs/end-to-end-security.md): pairwiseESPrimKeys come only
// from files, the files must not be readable by group or others, and a file that holds no usable key is a
// start-up refusal that names the key identifier but never prints the file's content. The ESPrim Target
// itself is shown against this process by test-e2e/test/esprim-process.test.ts.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';

// Each case starts the IN-CSE once or twice and reads its refusal.
vi.setConfig({ testTimeout: 90_000 });

const dist = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist');
const tmp = () => mkdtempSync(join(tmpdir(), 'm2msec-e2e-config-'));

function runInCse(esprim: unknown, escertke?: unknown): { code: number | null; out: string } {
  const dir = tmp();
  const configPath = join(dir, 'config.json');
  writeFileSync(configPath, JSON.stringify({ endToEnd: { esprim, ...(escertke ? { escertke } : {}) } }), {
    mode: 0o600,
  });
  const r = spawnSync(process.execPath, [join(dist, 'main.js')], {
    env: {
      ...(process.env as Record<string, string>),
      M2MSEC_HTTP_PORT: '0',
      M2MSEC_HTTP_HOST: '127.0.0.1',
      M2MSEC_DATA_DIR: join(dir, 'data'),
      M2MSEC_KEK_FILE: join(tmp(), 'kek'),
      M2MSEC_LOG_LEVEL: 'warn',
      M2MSEC_CONFIG: configPath,
    },
    // A refusal exits at once; the bound only stops a process that would wrongly start (a loaded machine
    // needs seconds to load the IN-CSE).
    timeout: 20_000,
    encoding: 'utf8',
  });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

function keyFile(content: string, mode = 0o600): string {
  const f = join(tmp(), 'esprim.key');
  writeFileSync(f, content, { mode });
  return f;
}

describe('endToEnd.esprim start-up refusals', () => {
  it('a key file readable by group or others: refused, naming the file and the chmod fix', () => {
    const f = keyFile(randomBytes(32).toString('base64'), 0o640);
    const r = runInCse({ keys: [{ kid: 'k1', identity: '/id-mn/Cae1', keyFile: f }] });
    expect(r.code).toBe(1);
    expect(r.out).toContain(`pairwiseESPrimKey file for k1 (endToEnd.esprim.keys) ${f} is accessible`);
    expect(r.out).toContain(`chmod 600 ${f}`);
  });

  it('a key shorter than 128 bits or not base64: refused without printing the content', () => {
    const short = randomBytes(8).toString('base64');
    const r1 = runInCse({ keys: [{ kid: 'k1', identity: '/id-mn/Cae1', keyFile: keyFile(short) }] });
    expect(r1.code).toBe(1);
    expect(r1.out).toContain("endToEnd.esprim key 'k1': its keyFile must hold the base64 of at least 16 bytes");
    expect(r1.out).not.toContain(short);
    const r2 = runInCse({ keys: [{ kid: 'k2', identity: '/id-mn/Cae1', keyFile: keyFile('not a key!*') }] });
    expect(r2.code).toBe(1);
    expect(r2.out).toContain("endToEnd.esprim key 'k2'");
    expect(r2.out).not.toContain('not a key');
  });

  it('MEF-provisioned or MAF-distributed keys without the MEF / MAF they come from: refused, naming the setting', () => {
    const mef = runInCse({ keys: [], mefProvisioned: true });
    expect(mef.code).toBe(1);
    expect(mef.out).toContain('endToEnd.esprim.mefProvisioned needs security.mef');
    const maf = runInCse({ keys: [], mafDistributed: true });
    expect(maf.code).toBe(1);
    expect(maf.out).toContain('endToEnd.esprim.mafDistributed needs security.maf');
  });

  it('an inline key, a relative identity or a duplicate kid: refused', () => {
    const key = randomBytes(32).toString('base64');
    const inline = runInCse({ keys: [{ kid: 'k1', identity: '/id-mn/Cae1', key }] });
    expect(inline.code).toBe(1);
    expect(inline.out).toContain('/endToEnd/esprim/keys/0 must NOT have additional properties');
    expect(inline.out).not.toContain(key);
    const relative = runInCse({ keys: [{ kid: 'k1', identity: 'Cae1', keyFile: keyFile(key) }] });
    expect(relative.code).toBe(1);
    expect(relative.out).toContain('/endToEnd/esprim/keys/0/identity must match pattern');
    const f = keyFile(key);
    const twice = runInCse({
      keys: [
        { kid: 'k1', identity: '/id-mn/Cae1', keyFile: f },
        { kid: 'k1', identity: '/id-mn/Cae2', keyFile: f },
      ],
    });
    expect(twice.code).toBe(1);
    expect(twice.out).toContain("endToEnd.esprim.keys: kid 'k1' is listed twice");
  });

  it('ESCertKE: a private key readable by others, or an initiator pattern other than an ID or <CSE-ID>/*: refused', () => {
    const cert = keyFile('-----BEGIN CERTIFICATE-----\n');
    const key = keyFile('-----BEGIN PRIVATE KEY-----\n', 0o644);
    const r1 = runInCse({ keys: [] }, { cert, key, trustAnchors: [cert], initiators: ['/id-mn/*'] });
    expect(r1.code).toBe(1);
    expect(r1.out).toContain(`ESCertKE private key (endToEnd.escertke.key) ${key} is accessible`);
    const key2 = keyFile('-----BEGIN PRIVATE KEY-----\n');
    const r2 = runInCse({ keys: [] }, { cert, key: key2, trustAnchors: [cert], initiators: ['/id-mn*'] });
    expect(r2.code).toBe(1);
    expect(r2.out).toContain('/endToEnd/escertke/initiators/0 must match pattern');
  });
});
