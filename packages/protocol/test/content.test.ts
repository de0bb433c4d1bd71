import { describe, expect, it } from 'vitest';
import {
  M2MError,
  ResourceType,
  resourceTypeRootName,
  rootNameFor,
  tyForRootName,
  wrapResource,
} from '../src/index.js';

describe('root names (TS-0004 Table 8.2.4-1)', () => {
  it('round-trips ty <-> root for every served type', () => {
    for (const ty of Object.values(ResourceType)) {
      expect(tyForRootName(rootNameFor(ty))).toBe(ty);
    }
  });
  it('uses the short names of Table 8.2.4-1', () => {
    expect(rootNameFor(ResourceType.container)).toBe('m2m:cnt');
    expect(rootNameFor(ResourceType.role)).toBe('m2m:rol');
    expect(rootNameFor(ResourceType.token)).toBe('m2m:tk');
    expect(rootNameFor(ResourceType.AEAnnc)).toBe('m2m:aeA');
    expect(resourceTypeRootName[ResourceType.dynamicAuthorizationConsultation]).toBe('m2m:dac');
  });
  it('rejects an unserved type with 4000 and knows no unserved root', () => {
    expect(() => rootNameFor(12)).toThrow(M2MError);
    expect(() => rootNameFor(12)).toThrow('resource type 12 is not served');
    expect(tyForRootName('m2m:mgc')).toBeUndefined();
    expect(tyForRootName('toString')).toBeUndefined();
  });
  it('wraps attributes under the root name', () => {
    expect(wrapResource(3, { rn: 'x', mni: 1 })).toEqual({ 'm2m:cnt': { rn: 'x', mni: 1 } });
  });
});
