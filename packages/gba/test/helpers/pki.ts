// A throwaway PKI for the Zn tests (a NAF CA, the BSF's HTTPS certificate, NAF client certificates),
// made with the openssl CLI through @m2msec/test-support.
import { TestCa } from '@m2msec/test-support';

export interface Pem {
  readonly key: string | Buffer;
  readonly cert: string | Buffer;
}

export function makeCa(dir: string, name: string): TestCa {
  return new TestCa(name, { root: dir, nameConstraints: '' }); // no name constraints, as a NAF CA needs none
}

/** A leaf of `ca` with the given SAN; `usage` sets its extendedKeyUsage (the BSF's is 'server'). */
export function issue(ca: TestCa, name: string, san: string, usage: 'client' | 'server' = 'client'): Pem {
  const { key, cert } = ca.issue({ san, cn: name, usage });
  return { key, cert };
}
