// Issue 19 item 4: a configuration error names the file, the key path, what is allowed and the nearest
// key; it never echoes a value. In-process: loadConfig is what main() calls first.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '@m2msec/node';
import { describe, expect, it } from 'vitest';

function file(content: unknown): string {
  const f = join(mkdtempSync(join(tmpdir(), 'm2msec-config-')), 'in-cse.json');
  writeFileSync(f, JSON.stringify(content), { mode: 0o600 });
  return f;
}

describe('IN-CSE configuration errors', () => {
  it('a misspelt key: file, path, allowed keys, the nearest one; not the value', () => {
    const f = file({ log: { levle: 'debug' }, security: { keyfile: '/secret/path/kek' } });
    expect(() => loadConfig({ M2MSEC_CONFIG: f })).toThrow(ConfigError);
    let message = '';
    try {
      loadConfig({ M2MSEC_CONFIG: f });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain(`invalid configuration (file ${f}):`);
    expect(message).toMatch(
      /\/log must NOT have additional properties: 'levle' is not a setting here \(allowed: level, format, file, accessSampling\); did you mean 'level'\?/,
    );
    expect(message).toMatch(
      /\/security must NOT have additional properties: 'keyfile' is not a setting here \(allowed: [^)]*keyFile[^)]*\); did you mean 'keyFile'\?/,
    );
    expect(message).not.toContain('/secret/path/kek');
  });

  it('a wrong value: the allowed values', () => {
    const f = file({ log: { level: 'verbose', format: 'xml' } });
    expect(() => loadConfig({ M2MSEC_CONFIG: f })).toThrow(
      /\/log\/level must be equal to one of the allowed values: "fatal", "error", "warn", "info", "debug", "trace", "silent"/,
    );
    expect(() => loadConfig({ M2MSEC_CONFIG: f })).toThrow(
      /\/log\/format must be equal to one of the allowed values: "json", "pretty", "auto"/,
    );
  });

  it('the operations listener port from the environment, checked', () => {
    expect(loadConfig({ M2MSEC_OPS_PORT: '9464' }).opsListener).toEqual({ port: 9464 });
    expect(() => loadConfig({ M2MSEC_OPS_PORT: 'x' })).toThrow(/M2MSEC_OPS_PORT 'x' is not a port number/);
  });
});
