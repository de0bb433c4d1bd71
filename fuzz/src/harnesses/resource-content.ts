// Resource representations in a CREATE / UPDATE primitive (TS-0004 7.4.x attribute tables as the protocol
// package encodes them): every attribute the CSE knows, with values of every JSON type.
import { M2MError, validateRequest, validateResource } from '@m2msec/protocol';
import * as fc from 'fast-check';
import { harness } from '../harness.js';

const roots: Array<[number, string]> = [
  [1, 'm2m:acp'],
  [2, 'm2m:ae'],
  [3, 'm2m:cnt'],
  [4, 'm2m:cin'],
  [9, 'm2m:grp'],
  [16, 'm2m:csr'],
  [23, 'm2m:sub'],
];
const attrs = [
  'rn',
  'et',
  'lbl',
  'acpi',
  'api',
  'rr',
  'srv',
  'poa',
  'mni',
  'mbs',
  'mia',
  'con',
  'cnf',
  'pv',
  'pvs',
  'nu',
  'enc',
  'nct',
  'exc',
  'mid',
  'mnm',
  'mt',
  'csi',
  'cb',
  'cst',
  'dr',
  'ln',
  'bn',
  'at',
  'aa',
  'ri',
  'ct',
  'zz',
];
const value = fc.oneof(
  fc.integer(),
  fc.constantFrom(2 ** 53, 2 ** 64, -1, Number.POSITIVE_INFINITY, Number.NaN),
  fc.string({ maxLength: 20 }),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.oneof(fc.string({ maxLength: 10 }), fc.integer()), { maxLength: 4 }),
  fc.dictionary(fc.constantFrom('acr', 'acor', 'acop', 'net', 'atr', 'num', 'dur'), fc.jsonValue({ maxDepth: 3 }), {
    maxKeys: 3,
  }),
);

export default harness({
  name: 'resource-content',
  parses: 'protocol validateRequest + validateResource on CREATE / UPDATE content (attribute schemas)',
  input: fc.record({
    op: fc.constantFrom(1, 3),
    root: fc.nat(roots.length - 1),
    tyDelta: fc.constantFrom(0, 0, 0, 1, Number.POSITIVE_INFINITY, -1, 0.5),
    body: fc.dictionary(fc.constantFrom(...attrs), value, { maxKeys: 6 }),
  }),
  run(i) {
    const [ty, root] = roots[i.root]!;
    const primitive = validateRequest({
      op: i.op,
      to: 'cse-in/x',
      fr: 'Cmeter',
      rqi: '1',
      rvi: '3',
      ...(i.op === 1 ? { ty: i.tyDelta === 0 ? ty : i.tyDelta === 1 ? ty + 1 : i.tyDelta } : {}),
      pc: { [root]: i.body },
    });
    // The attribute schemas of the resource type, as CREATE / UPDATE apply them in the CSE.
    validateResource(i.op === 1 ? 'create' : 'update', primitive.ty ?? ty, primitive.pc);
  },
  // A client error, or 5001 for a Release 3 resource type this CSE does not implement (TS-0004 7.3.3.3):
  // both are precise refusals; any other 5xxx is a finding.
  refusal: (e) => e instanceof M2MError && (e.rsc < 5000 || e.rsc === 5001),
});
