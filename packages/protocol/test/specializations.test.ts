import { describe, expect, it } from 'vitest';
import { mgmtObjTables, registerContainerDefinition, rootNameOfResource, validateResource } from '../src/index.js';
import { expectM2M } from './helpers.js';

describe('TS-0004 7.4.15 / Annex D: <mgmtObj> specializations', () => {
  it('serves the ten common specializations under their Table 8.2.4-1 roots', () => {
    const roots = Object.entries(mgmtObjTables).map(([mgd, t]) => `${mgd}:m2m:${t.short}`);
    expect(roots).toEqual([
      '1001:m2m:fwr',
      '1002:m2m:swr',
      '1003:m2m:mem',
      '1004:m2m:ani',
      '1005:m2m:andi',
      '1006:m2m:bat',
      '1007:m2m:dvi',
      '1008:m2m:dvc',
      '1009:m2m:rbo',
      '1010:m2m:evl',
    ]);
    expect(rootNameOfResource({ ty: 13, mgd: 1006 })).toBe('m2m:bat');
  });
  it('refuses the generic root, an unknown root and an mgd that does not match the root (4000)', () => {
    expectM2M(() => validateResource('create', 13, { 'm2m:mgo': { mgd: 1006 } }), 4000, 'not a mgmtObj specialization');
    expectM2M(() => validateResource('create', 13, { 'm2m:xyz': {} }), 4000, 'not a mgmtObj specialization');
    expectM2M(
      () => validateResource('create', 13, { 'm2m:bat': { mgd: 1007, btl: 50, bts: 1 } }),
      4000,
      "mgd '1007' does not match the root m2m:bat",
    );
    expect(validateResource('create', 13, { 'm2m:bat': { mgd: 1006, btl: 50, bts: 1 } }).root).toBe('m2m:bat');
  });
  it('checks the Annex D optionality and value ranges (battery level 0..100 is xs:unsignedInt, status 1..7)', () => {
    expectM2M(
      () => validateResource('create', 13, { 'm2m:bat': { mgd: 1006, btl: 50 } }),
      4000,
      "missing mandatory attribute 'bts'",
    );
    expectM2M(
      () => validateResource('create', 13, { 'm2m:bat': { mgd: 1006, btl: 50, bts: 9 } }),
      4000,
      "attribute 'bts' of m2m:bat must be an m2m:batteryStatus value 1..7",
    );
    expectM2M(
      () => validateResource('update', 13, { 'm2m:dvi': { man: 'x' } }),
      4000,
      "attribute 'man' of m2m:dvi is not permitted in UPDATE",
    );
    expectM2M(
      () =>
        validateResource('create', 13, {
          'm2m:fwr': { mgd: 1001, vr: '1', fwn: 'f', url: 'http://x', ud: false, uds: { sus: 1 } },
        }),
      4000,
      "attribute 'uds' of m2m:fwr is not permitted in CREATE",
    );
  });
});

describe('TS-0004 7.4.37: <flexContainer> containerDefinition', () => {
  it('refuses an unknown containerDefinition with 4125 SPECIALIZATION_SCHEMA_NOT_FOUND', () => {
    expectM2M(
      () => validateResource('create', 28, { 'x:unk': { cnd: 'org.example.unknown' } }),
      4125,
      "containerDefinition 'org.example.unknown' is not known",
    );
  });
  it('refuses a cnd that does not match the root, unknown custom attributes, wrong types (4000)', () => {
    expectM2M(
      () =>
        validateResource('create', 28, {
          'cod:tempe': { cnd: 'org.onem2m.common.moduleclass.binarySwitch', curT0: 1 },
        }),
      4000,
      'does not match the root cod:tempe',
    );
    expectM2M(
      () =>
        validateResource('create', 28, {
          'cod:binSh': { cnd: 'org.onem2m.common.moduleclass.binarySwitch', powSe: true, x: 1 },
        }),
      4000,
      "unknown attribute 'x' in cod:binSh",
    );
    expectM2M(
      () => validateResource('update', 28, { 'cod:binSh': { powSe: 'on' } }),
      4000,
      "attribute 'powSe' of cod:binSh must be a boolean",
    );
    expectM2M(
      () => validateResource('create', 28, { 'm2m:fcnt': { cnd: 'org.onem2m.common.moduleclass.temperature' } }),
      4000,
      'not a flexContainer specialization',
    );
  });
  it('accepts a registered definition and refuses to redefine it', () => {
    const def = {
      cnd: 'org.example.test.counter',
      root: 'tst:cntr',
      customAttributes: [
        { long: 'count', short: 'count', type: 'xs:nonNegativeInteger', create: 'M' as const, update: 'O' as const },
      ],
    };
    registerContainerDefinition(def);
    registerContainerDefinition(def); // the same definition again is harmless
    expect(validateResource('create', 28, { 'tst:cntr': { cnd: def.cnd, count: 3 } }).attrs.count).toBe(3);
    expect(() => registerContainerDefinition({ ...def, customAttributes: [] })).toThrow('already registered');
    const shadow = { ...def.customAttributes[0]!, short: 'lbl' };
    expect(() =>
      registerContainerDefinition({ cnd: 'org.example.x', root: 'tst:x', customAttributes: [shadow] }),
    ).toThrow("custom attribute 'lbl' of 'org.example.x' is a flexContainer attribute");
    const untyped = { ...def.customAttributes[0]!, type: 'xs:whatever' };
    expect(() =>
      registerContainerDefinition({ cnd: 'org.example.y', root: 'tst:y', customAttributes: [untyped] }),
    ).toThrow("no data type 'xs:whatever'");
    expect(rootNameOfResource({ ty: 28, cnd: def.cnd })).toBe('tst:cntr');
  });
});
