import { describe, expect, it } from 'vitest';
import {
  type ResourceAttributeTable,
  ResourceType,
  resourceAttributeTables,
  rootNameFor,
  specializationByRoot,
  validateResource,
} from '../src/index.js';
import { expectM2M } from './helpers.js';

const acr = { acr: [{ acor: ['all'], acop: 63 }] };

/** Smallest valid CREATE content of each type: exactly its mandatory attributes. */
const minimal: Record<number, Record<string, unknown>> = {
  [ResourceType.accessControlPolicy]: { pv: acr, pvs: acr },
  [ResourceType.AE]: { api: 'Nmyapp', rr: false, srv: ['3'] },
  [ResourceType.container]: {},
  [ResourceType.contentInstance]: { con: 'hello' },
  [ResourceType.group]: { mnm: 10, mid: [] },
  [ResourceType.remoteCSE]: { cb: '/id-mn/cse-mn', rr: true, srv: ['3'] },
  [ResourceType.serviceSubscribedAppRule]: {},
  [ResourceType.subscription]: { nu: ['Cae1'] },
  [ResourceType.flexContainer]: { cnd: 'org.onem2m.common.moduleclass.temperature', curT0: 20 },
  [ResourceType.mgmtObj]: { mgd: 1007, dlb: 'label', man: 'acme', mod: 'm1', dty: 'gateway' },
  [ResourceType.node]: { ni: 'urn:gsma:imei:90420156-025763-0' },
  [ResourceType.pollingChannel]: {},
  [ResourceType.timeSeries]: {},
  [ResourceType.timeSeriesInstance]: { dgt: '20240101T000000', con: 'x' },
  [ResourceType.schedule]: { se: { sce: ['* 0-5 2,6,10 * * * *'] } },
  [ResourceType.locationPolicy]: { los: 2 },
  [ResourceType.role]: {
    rlid: 'r1@issuer.org',
    tkis: '/id-in',
    tkhd: 'Cae1',
    tknb: '20240101T000000',
    tkna: '20250101T000000',
  },
  [ResourceType.token]: { tkid: 't1@issuer.org', tkob: 'eyJhbGciOiJIUzI1NiJ9.e30.sig' },
  [ResourceType.dynamicAuthorizationConsultation]: { dae: true, dap: ['http://das.example:8080/'] },
  [ResourceType.accessControlPolicyAnnc]: { et: '20991231T235959', lnk: '/id-mn/cse-mn/acp1' },
  [ResourceType.AEAnnc]: { et: '20991231T235959', lnk: '/id-mn/cse-mn/Cae1' },
  [ResourceType.containerAnnc]: { et: '20991231T235959', lnk: '/id-mn/cse-mn/Cae1/cnt1' },
  [ResourceType.flexContainerAnnc]: {
    et: '20991231T235959',
    lnk: '/id-mn/cse-mn/Cae1/fc1',
    cnd: 'org.onem2m.common.moduleclass.temperature',
  },
  [ResourceType.contentInstanceAnnc]: { et: '20991231T235959', lnk: '/id-mn/cse-mn/Cae1/cnt1/cin1' },
  [ResourceType.remoteCSEAnnc]: { et: '20991231T235959', lnk: '/id-mn' },
};

/** Fuller CREATE examples with the attributes the security functions read. */
const full: Record<number, Record<string, unknown>> = {
  [ResourceType.accessControlPolicy]: {
    rn: 'acp1',
    et: '20991231T235959',
    lbl: ['security'],
    pv: {
      acr: [
        {
          acor: ['Cae1', '/id-mn'],
          acop: 3,
          acco: [
            {
              actw: ['* 0-5 2,6,10 * * * *'],
              acip: { ipv4: ['10.0.0.0/8'], ipv6: ['2001:db8::/32'] },
              aclr: { accc: ['DE'], accr: [52.5, 13.4, 1000] },
            },
          ],
          acaf: true,
          acod: [{ ty: 3, chty: [4], spty: 'x' }],
        },
      ],
    },
    pvs: { acr: [{ acor: ['CAdmin'], acop: 63 }] },
    at: ['/id-mn'],
    aa: ['lbl'],
  },
  [ResourceType.AE]: {
    rn: 'ae1',
    api: 'Nmyapp',
    apn: 'Heating',
    rr: true,
    poa: ['http://10.0.0.2:9000'],
    srv: ['3', '4'],
    csz: ['json'],
    acpi: ['/id-in/acp1', 'cse-in/acp2'],
    daci: ['cse-in/dac1'],
    esi: { esf: [1, 2], escert: ['MIIB...'] },
    lbl: ['a', 'b:c'],
    et: '20991231T235959,5',
  },
  [ResourceType.container]: {
    rn: 'c1',
    mni: 10,
    mbs: 1000,
    mia: 60,
    disr: false,
    or: 'http://o',
    cr: null,
    acpi: ['acp1'],
  },
  [ResourceType.contentInstance]: { rn: 'i1', cnf: 'text/plain:0', con: { any: ['json'] }, cr: null, lbl: ['x'] },
  [ResourceType.group]: { mnm: 10, mid: ['cse-in/ae1'], mt: 3, csy: 1, gn: 'g', macp: ['acp1'], nar: { num: 2 } },
  [ResourceType.remoteCSE]: {
    cb: '/id-mn/cse-mn',
    rr: true,
    srv: ['3'],
    csi: '/id-mn',
    cst: 2,
    poa: ['http://mn:8081'],
    dcse: ['/id-asn'],
  },
  [ResourceType.serviceSubscribedAppRule]: { apci: ['cred1'], aai: ['Nmyapp'], aae: ['Cae1'], ari: ['r1@issuer.org'] },
  [ResourceType.subscription]: {
    nu: ['Cae1'],
    enc: { net: [1, 3] },
    exc: 5,
    nct: 1,
    su: 'Cae1',
    psn: 1,
    ln: true,
    bn: { num: 3, dur: 'PT10S' },
  },
  [ResourceType.flexContainer]: {
    cnd: 'org.onem2m.common.moduleclass.temperature',
    rn: 'f',
    curT0: 21.5,
    unit: 1,
    minVe: -10,
    nl: 'cse-in/node1',
    acpi: ['acp1'],
  },
  [ResourceType.mgmtObj]: { ...minimal[13], rn: 'dvi', fwv: '1.0', dvnm: 'gw1', lbl: ['x'], acpi: ['acp1'] },
  [ResourceType.node]: { ni: 'urn:x', rn: 'n1', hcl: '/id-mn', hael: ['/id-in/Cae1'], mgca: 'x', lbl: ['n'] },
  [ResourceType.pollingChannel]: { rn: 'pch', lbl: ['p'], et: '20991231T235959' },
  [ResourceType.timeSeries]: {
    rn: 'ts',
    mni: 10,
    mbs: 100,
    mia: 60,
    pei: 1000,
    peid: 100,
    mdd: true,
    mdn: 5,
    mdt: 500,
  },
  [ResourceType.timeSeriesInstance]: { dgt: 1000, con: 21, snr: 1, rn: 'i1', lbl: ['x'] },
  [ResourceType.schedule]: { rn: 'sch', se: { sce: ['* * 8-20 * * * *'] }, nco: false, acpi: ['acp1'] },
  [ResourceType.locationPolicy]: {
    rn: 'lp',
    los: 2,
    lit: 1,
    lou: ['PT10S'],
    lon: 'where',
    gec: 1,
    rlkl: false,
    luec: 0,
  },
  [ResourceType.role]: { ...minimal[ResourceType.role], rlnm: 'operator', rltl: 'cse-in/tk1', acpi: ['acp1'] },
  [ResourceType.token]: {
    ...minimal[ResourceType.token],
    vr: '1',
    tkis: '/id-in',
    tkhd: 'Cae1',
    tknb: '20240101T000000',
    tkna: '20250101T000000',
    tknm: 'tok',
    tkau: ['/id-in'],
    tkps: { pm: [{ ris: ['cse-in/c1'], pv: acr, rids: ['r1@issuer.org'] }] },
    tkex: 'x',
  },
  [ResourceType.dynamicAuthorizationConsultation]: {
    dae: true,
    dap: ['http://das'],
    dal: '20990101T000000',
    rn: 'dac1',
  },
  [ResourceType.AEAnnc]: {
    et: '20991231T235959',
    lnk: '/id-mn/cse-mn/Cae1',
    api: 'Nmyapp',
    rr: true,
    srv: ['3'],
    acpi: ['acp1'],
  },
  [ResourceType.remoteCSEAnnc]: { et: '20991231T235959', lnk: '/id-mn', csi: '/id-mn', cst: 2, rr: true },
  [ResourceType.accessControlPolicyAnnc]: {
    et: '20991231T235959',
    lnk: '/id-mn/cse-mn/acp1',
    lbl: ['a'],
    pv: { acr: [{ acor: ['all'], acop: 2 }] },
    pvs: { acr: [{ acor: ['/id-mn'], acop: 63 }] },
  },
  [ResourceType.containerAnnc]: { et: '20991231T235959', lnk: '/id-mn/cse-mn/Cae1/cnt1', lbl: ['a'], mni: 5 },
  [ResourceType.flexContainerAnnc]: {
    et: '20991231T235959',
    lnk: '/id-mn/cse-mn/Cae1/fc1',
    cnd: 'org.onem2m.common.moduleclass.temperature',
    lbl: ['a'],
    curT0: 21.5,
  },
  [ResourceType.contentInstanceAnnc]: {
    et: '20991231T235959',
    lnk: '/id-mn/cse-mn/Cae1/cnt1/cin1',
    lbl: ['a'],
    cnf: 'text/plain:0',
    con: 'x',
  },
};

const served = Object.values(ResourceType).filter((ty) => ty !== ResourceType.CSEBase);
/** mgmtObj and flexContainer are examined through one specialization each (deviceInfo, temperature). */
const specialRoot: Record<number, string> = { 13: 'm2m:dvi', 28: 'cod:tempe', 10028: 'cod:tempeAnnc' };
const rootOf = (ty: number) => specialRoot[ty] ?? rootNameFor(ty);
const tableOf = (ty: number): ResourceAttributeTable =>
  specialRoot[ty] ? specializationByRoot(ty, specialRoot[ty])!.table : resourceAttributeTables.get(ty)!;
const wrap = (ty: number, attrs: Record<string, unknown>) => ({ [rootOf(ty)]: attrs });
/** A value of the wrong JSON type for a schema. */
function wrongValue(schema: Record<string, unknown>): unknown {
  const t = schema.type;
  if (t === undefined) return undefined; // anyType: nothing is wrong
  if (t === 'object' || (Array.isArray(t) && t.includes('object'))) return 42;
  return { wrong: true };
}

describe('validateResource: valid content', () => {
  it('has a table, a minimal and a full example for every served type', () => {
    for (const ty of Object.values(ResourceType)) expect(resourceAttributeTables.has(ty), String(ty)).toBe(true);
    for (const ty of served) {
      expect(minimal[ty], String(ty)).toBeDefined();
      expect(full[ty], String(ty)).toBeDefined();
    }
  });
  it('accepts the minimal and full CREATE content of every type', () => {
    for (const ty of served) {
      for (const attrs of [minimal[ty]!, full[ty]!]) {
        const r = validateResource('create', ty, wrap(ty, attrs));
        expect(r).toEqual({ root: rootOf(ty), attrs });
      }
    }
  });
  it('accepts an UPDATE of each updatable optional attribute taken from the full example', () => {
    for (const ty of served) {
      const table = tableOf(ty);
      for (const [k, v] of Object.entries(full[ty]!)) {
        const spec = table.attributes.get(k);
        if (!spec || spec.update === 'NP' || v === null) continue;
        expect(validateResource('update', ty, wrap(ty, { [k]: v })).attrs, `${ty} ${k}`).toEqual({ [k]: v });
      }
    }
  });
  it('accepts null in UPDATE for optional attributes whose multiplicity is 0..1 (deletion)', () => {
    expect(validateResource('update', 3, { 'm2m:cnt': { mni: null, lbl: null, acpi: null } }).attrs).toEqual({
      mni: null,
      lbl: null,
      acpi: null,
    });
    expect(validateResource('update', 2, { 'm2m:ae': { poa: null, apn: 'x' } }).attrs.poa).toBeNull();
  });
});

describe('validateResource: content root', () => {
  it('rejects a wrong root for ty', () => {
    expectM2M(
      () => validateResource('create', 3, { 'm2m:ae': {} }),
      4000,
      "content root 'm2m:ae' does not match ty=3 (expected m2m:cnt)",
    );
  });
  it('rejects zero or several roots and non-objects', () => {
    expectM2M(() => validateResource('create', 3, {}), 4000, 'content is empty (expected m2m:cnt)');
    expectM2M(() => validateResource('create', 3, { 'm2m:cnt': {}, x: 1 }), 4000, 'exactly one root element');
    expectM2M(() => validateResource('create', 3, null), 4000, 'content must be an object');
    expectM2M(() => validateResource('create', 3, [{ 'm2m:cnt': {} }]), 4000, 'content must be an object');
    expectM2M(() => validateResource('create', 3, { 'm2m:cnt': [] }), 4000, 'm2m:cnt must be an object of attributes');
    expectM2M(() => validateResource('create', 3, { 'm2m:cnt': 'x' }), 4000, 'm2m:cnt must be an object of attributes');
  });
  it('rejects unserved types and CSEBase', () => {
    expectM2M(
      () => validateResource('create', 12, { 'm2m:mgc': {} }),
      4000,
      'ty 12 is not a resource type this CSE serves',
    );
    expectM2M(() => validateResource('create', 5, { 'm2m:cb': {} }), 4005, '<CSEBase> cannot be created');
    expectM2M(() => validateResource('update', 5, { 'm2m:cb': {} }), 4005, '<CSEBase> cannot be updated');
  });
});

describe('validateResource: attribute classes, for every served type', () => {
  it('rejects unknown attributes (flexContainer: custom attributes its containerDefinition does not define)', () => {
    for (const ty of served) {
      const pc = wrap(ty, { ...minimal[ty], foo: 1 });
      expectM2M(() => validateResource('create', ty, pc), 4000, `unknown attribute 'foo' in ${rootOf(ty)}`);
    }
  });
  it('rejects every attribute not permitted in CREATE and in UPDATE', () => {
    let n = 0;
    for (const ty of served) {
      for (const [k, spec] of tableOf(ty).attributes) {
        if (spec.create === 'NP') {
          n++;
          expectM2M(
            () => validateResource('create', ty, wrap(ty, { ...minimal[ty], [k]: 'x' })),
            4000,
            `attribute '${k}' of ${rootOf(ty)} is not permitted in CREATE`,
          );
        }
        if (spec.update === 'NP') {
          n++;
          expectM2M(
            () => validateResource('update', ty, wrap(ty, { [k]: 'x' })),
            4000,
            `attribute '${k}' of ${rootOf(ty)} is not permitted in UPDATE`,
          );
        }
      }
    }
    expect(n).toBeGreaterThan(100);
    expectM2M(
      () => validateResource('create', 3, { 'm2m:cnt': { ri: 'x' } }),
      4000,
      "attribute 'ri' of m2m:cnt is not permitted in CREATE",
    );
    expectM2M(
      () => validateResource('update', 2, { 'm2m:ae': { api: 'Nx' } }),
      4000,
      "attribute 'api' of m2m:ae is not permitted in UPDATE",
    );
    expectM2M(
      () => validateResource('update', 4, { 'm2m:cin': { con: 'x' } }),
      4000,
      "attribute 'con' of m2m:cin is not permitted in UPDATE",
    );
  });
  it('reports each missing mandatory attribute', () => {
    for (const ty of served) {
      for (const k of tableOf(ty).mandatory.create) {
        const { [k]: _, ...rest } = minimal[ty]!;
        expectM2M(
          () => validateResource('create', ty, wrap(ty, rest)),
          4000,
          `missing mandatory attribute '${k}' in ${rootOf(ty)}`,
        );
      }
    }
    expectM2M(
      () => validateResource('create', 2, { 'm2m:ae': { rr: true, srv: ['3'] } }),
      4000,
      "missing mandatory attribute 'api' in m2m:ae",
    );
  });
  it('rejects a value of the wrong type for every attribute, naming it', () => {
    let n = 0;
    for (const ty of served) {
      for (const [k, spec] of tableOf(ty).attributes) {
        for (const op of ['create', 'update'] as const) {
          if (spec[op] === 'NP' || (op === 'create' && k === 'cr')) continue;
          const bad = wrongValue(spec.dataType.schema as Record<string, unknown>);
          if (bad === undefined) continue;
          n++;
          const base = op === 'create' ? minimal[ty] : {};
          expectM2M(
            () => validateResource(op, ty, wrap(ty, { ...base, [k]: bad })),
            4000,
            `attribute '${k}' of ${rootOf(ty)} must be ${spec.dataType.description}`,
          );
        }
      }
    }
    expect(n).toBeGreaterThan(150);
  });
  it('rejects null in CREATE and for multiplicity-1 attributes in UPDATE', () => {
    expectM2M(
      () => validateResource('create', 3, { 'm2m:cnt': { mni: null } }),
      4000,
      "attribute 'mni' of m2m:cnt must not be null in CREATE",
    );
    expectM2M(
      () => validateResource('update', 23, { 'm2m:sub': { nu: null } }),
      4000,
      "attribute 'nu' of m2m:sub cannot be deleted (null) in UPDATE",
    );
    // expirationTime is the exception: NULL lets the Hosting CSE choose a new value (TS-0001 9.6.1.3).
    expect(validateResource('update', 3, { 'm2m:cnt': { et: null } }).attrs).toEqual({ et: null });
    expectM2M(
      () => validateResource('update', 2, { 'm2m:ae': { rr: null } }),
      4000,
      "attribute 'rr' of m2m:ae cannot be deleted",
    );
    expectM2M(
      () => validateResource('update', 1, { 'm2m:acp': { pv: null } }),
      4000,
      "attribute 'pv' of m2m:acp cannot be deleted",
    );
  });
  it('requires creator to be null in CREATE', () => {
    expectM2M(
      () => validateResource('create', 3, { 'm2m:cnt': { cr: 'Cae1' } }),
      4000,
      "attribute 'cr' of m2m:cnt must be null in CREATE",
    );
    expectM2M(
      () => validateResource('update', 3, { 'm2m:cnt': { cr: null } }),
      4000,
      "attribute 'cr' of m2m:cnt is not permitted in UPDATE",
    );
    expectM2M(
      () => validateResource('create', 2, { 'm2m:ae': { ...minimal[2], cr: null } }),
      4000,
      "unknown attribute 'cr' in m2m:ae",
    );
  });
});

describe('validateResource: specific value rules', () => {
  const cnt = (attrs: Record<string, unknown>) => () => validateResource('create', 3, { 'm2m:cnt': attrs });
  it('mni must be a non-negative integer', () => {
    expectM2M(cnt({ mni: -1 }), 4000, "attribute 'mni' of m2m:cnt must be a non-negative integer");
    expectM2M(cnt({ mni: 1.5 }), 4000, "attribute 'mni' of m2m:cnt must be a non-negative integer");
    expectM2M(cnt({ mni: '5' }), 4000, "attribute 'mni' of m2m:cnt must be a non-negative integer");
  });
  it('rn follows m2m:resourceName and reserved child names', () => {
    for (const rn of ['a', 'A1', 'x.y_z-1', '9']) expect(cnt({ rn })().attrs.rn).toBe(rn);
    for (const rn of ['', '-a', '.', '..', 'a b', 'a/b', 'a~b', 'ä', '_x']) {
      expectM2M(cnt({ rn }), 4000, "attribute 'rn' of m2m:cnt must be a resource name");
    }
    expectM2M(
      () => validateResource('create', 4, { 'm2m:cin': { rn: 'la', con: 'x' } }, { parentTy: 3 }),
      4000,
      "resource name 'la' is reserved under m2m:cnt",
    );
    expectM2M(
      () => validateResource('create', 3, { 'm2m:cnt': { rn: 'ol' } }, { parentTy: 3 }),
      4000,
      "resource name 'ol' is reserved",
    );
    expectM2M(
      () => validateResource('create', 23, { 'm2m:sub': { rn: 'fopt', nu: ['x'] } }, { parentTy: 9 }),
      4000,
      'reserved under m2m:grp',
    );
    expect(validateResource('create', 3, { 'm2m:cnt': { rn: 'la' } }, { parentTy: 2 }).attrs.rn).toBe('la');
  });
  it('lbl is a non-empty list of strings', () => {
    expectM2M(cnt({ lbl: 'a' }), 4000, "attribute 'lbl' of m2m:cnt must be a non-empty list of label strings");
    expectM2M(cnt({ lbl: [] }), 4000, "attribute 'lbl' of m2m:cnt must be a non-empty list");
    expectM2M(cnt({ lbl: ['a', 3] }), 4000, /attribute 'lbl' of m2m:cnt must be .* \(at \/lbl\/1: must be string\)/);
  });
  it('acpi is a non-empty list of well-formed IDs', () => {
    expectM2M(
      cnt({ acpi: [] }),
      4000,
      "attribute 'acpi' of m2m:cnt must be a non-empty list of accessControlPolicy IDs",
    );
    expectM2M(
      cnt({ acpi: ['a//b'] }),
      4000,
      /attribute 'acpi' of m2m:cnt .* \(at \/acpi\/0: must match format "m2m-id"\)/,
    );
    expectM2M(cnt({ acpi: 'acp1' }), 4000, "attribute 'acpi' of m2m:cnt");
  });
  it('et is an m2m:timestamp', () => {
    expectM2M(cnt({ et: '2099-12-31T23:59:59Z' }), 4000, "attribute 'et' of m2m:cnt must be an m2m:timestamp");
    expectM2M(cnt({ et: '20990230T000000' }), 4000, "attribute 'et' of m2m:cnt must be an m2m:timestamp");
  });
  it('access control rules are checked member by member', () => {
    const acp = (pv: unknown) => () => validateResource('create', 1, { 'm2m:acp': { pv, pvs: acr } });
    expectM2M(
      acp({ acr: [{ acor: ['all'] }] }),
      4000,
      /attribute 'pv' of m2m:acp .*must have required property 'acop'/,
    );
    expectM2M(acp({ acr: [{ acor: [], acop: 1 }] }), 4000, /\/pv\/acr\/0\/acor/);
    expectM2M(acp({ acr: [{ acor: ['x'], acop: 64 }] }), 4000, /\/pv\/acr\/0\/acop: must be <= 63/);
    expectM2M(
      acp({ acr: [{ acor: ['x'], acop: 1, acco: [{ acip: { ipv4: [1] } }] }] }),
      4000,
      /acco\/0\/acip\/ipv4\/0/,
    );
    expectM2M(
      acp({ acr: [{ acor: ['x'], acop: 1, acod: [{ ty: 3 }] }] }),
      4000,
      /acod\/0: must have required property 'chty'/,
    );
    expectM2M(acp({ acr: [{ acor: ['x'], acop: 1, zz: 1 }] }), 4000, /must NOT have additional properties/);
    expectM2M(acp({ acr: [{ acor: ['x'], acop: 1, acaf: 'yes' }] }), 4000, /acaf: must be boolean/);
  });
  it('token permissions and AE fields are typed', () => {
    expectM2M(
      () => validateResource('create', 32, { 'm2m:tk': { ...minimal[32], tkps: { pm: [{ ris: 'x' }] } } }),
      4000,
      /attribute 'tkps' of m2m:tk must be an m2m:tokenPermissions/,
    );
    expectM2M(
      () => validateResource('create', 2, { 'm2m:ae': { ...minimal[2], csz: ['yaml'] } }),
      4000,
      "attribute 'csz' of m2m:ae must be a list of 'xml', 'json' or 'cbor'",
    );
    expectM2M(
      () => validateResource('create', 2, { 'm2m:ae': { ...minimal[2], srv: [] } }),
      4000,
      "attribute 'srv' of m2m:ae must be a non-empty list",
    );
  });
  it('does not mutate or copy the content', () => {
    const attrs = { mni: null, lbl: ['a'] };
    const pc = { 'm2m:cnt': attrs };
    expect(validateResource('update', 3, pc).attrs).toBe(attrs);
    expect(attrs).toEqual({ mni: null, lbl: ['a'] });
  });
});
