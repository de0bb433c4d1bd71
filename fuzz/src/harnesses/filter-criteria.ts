// Filter criteria (TS-0004 7.3.3.x) from a query string (TS-0009 6.2.2.2) and from a primitive's fc object.
import { parseQuery } from '@m2msec/binding-http';
import { M2MError, validateFilterCriteria } from '@m2msec/protocol';
import * as fc from 'fast-check';
import { harness } from '../harness.js';
import { textInput } from '../mutate.js';

const queries = [
  'fu=1&ty=4&lim=10',
  'rcn=4&lbl=a&lbl=b&fo=2&lvl=3&ofst=2',
  'crb=20261207T000000&cra=20251207T000000&ms=20261207T000000&us=20261207T000000&sts=3&stb=9&sza=1&szb=100',
  'fu=2&drt=2&cty=text%2Fplain&exb=20301207T000000&exa=20201207T000000&rn=x&arp=a%2Fb',
];
const fcValue = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.string(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.oneof(fc.integer(), fc.string()), { maxLength: 4 }),
);
const fcKeys = [
  'ty',
  'lbl',
  'lim',
  'ofst',
  'lvl',
  'fu',
  'fo',
  'drt',
  'crb',
  'cra',
  'ms',
  'us',
  'sts',
  'stb',
  'sza',
  'szb',
  'cty',
  'exb',
  'exa',
  'atr',
  'arp',
  'zz',
];

export const filterQuery = harness({
  name: 'filter-query',
  parses: 'binding-http parseQuery (TS-0009 6.2.2.2)',
  input: textInput(queries),
  run(q) {
    parseQuery(q);
  },
  refusal: (e) => e instanceof M2MError && e.rsc < 5000,
});

export const filterObject = harness({
  name: 'filter-object',
  parses: 'protocol validateFilterCriteria (TS-0004 7.3.3.x)',
  input: fc.oneof(fc.dictionary(fc.constantFrom(...fcKeys), fcValue, { maxKeys: 6 }), fc.anything()),
  run(v) {
    validateFilterCriteria(v);
  },
  refusal: (e) => e instanceof M2MError && e.rsc < 5000,
});
