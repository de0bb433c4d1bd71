// The MAF process configuration: environment overrides and the refusals that stop a misconfigured start.
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';

const base = { M2MSEC_MAF_ADMIN_TOKEN: 't' };

describe('MAF configuration', () => {
  it('applies environment overrides', () => {
    const c = loadConfig({
      ...base,
      M2MSEC_MAF_FQDN: 'maf.example.com',
      M2MSEC_MAF_PSK_PORT: '9444',
      M2MSEC_STORE: 'postgres',
      M2MSEC_PG_URL: 'postgres://x@127.0.0.1/db',
    });
    expect(c.fqdn).toBe('maf.example.com');
    expect(c.psk).toEqual({ host: '127.0.0.1', port: 9444 });
    expect(c.store).toEqual({ kind: 'postgres', connectionString: 'postgres://x@127.0.0.1/db' });
  });

  it.each([
    [{}, /admin.token/],
    [{ ...base, M2MSEC_MAF_PSK_PORT: '70000' }, /M2MSEC_MAF_PSK_PORT must be a port number/],
    [{ ...base, M2MSEC_MAF_FQDN: 'not a name' }, /fqdn must be a host name/],
    [{ ...base, M2MSEC_STORE: 'postgres' }, /needs M2MSEC_PG_URL/],
    [{ ...base, M2MSEC_MAF_CONFIG: '/nonexistent/maf.json' }, /M2MSEC_MAF_CONFIG/],
  ])('refuses %o', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });
});
