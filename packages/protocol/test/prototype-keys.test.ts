// Names that Object.prototype defines ('constructor', 'toString', 'valueOf', '__proto__') are refused like any
// other unknown name. Regression of fuzz findings (fuzz/: filter-object at 1M cases): a table lookup by an
// untrusted name found Object.prototype's member, so 'valueOf' in fc threw a TypeError (5000) and
// '?constructor=1' or a primitive parameter 'constructor' was accepted unchecked.
import { describe, expect, it } from 'vitest';
import { M2MError, parseQueryString, validateFilterCriteria, validateRequest, validateResource } from '../src/index.js';

const NAMES = ['constructor', 'toString', 'valueOf', 'hasOwnProperty', '__proto__'];

function rsc(f: () => unknown): number | string {
  try {
    f();
    return 'accepted';
  } catch (e) {
    return e instanceof M2MError ? e.rsc : `${(e as Error).name}: ${(e as Error).message}`;
  }
}

describe('names of Object.prototype are unknown names (4000)', () => {
  for (const name of NAMES) {
    it(name, () => {
      expect(rsc(() => parseQueryString(`${name}=1`))).toBe(4000);
      expect(rsc(() => validateFilterCriteria(JSON.parse(`{"${name}": "0"}`)))).toBe(4000);
      const primitive = JSON.parse(`{"op": 2, "to": "cse-in", "fr": "Cx", "rqi": "1", "rvi": "3", "${name}": 1}`);
      expect(rsc(() => validateRequest(primitive))).toBe(4000);
      expect(rsc(() => validateResource('create', 3, JSON.parse(`{"m2m:cnt": {"${name}": 1}}`)))).toBe(4000);
    });
  }
});
