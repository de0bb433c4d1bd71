// Presence of request primitive parameters per operation, TS-0004 Table 7.2.1.1-1
// (M mandatory, O optional, NP not present). Keys are the short names of Table 8.2.2-1.
import { Operation } from '../operation.js';

export type Presence = 'M' | 'O' | 'NP';
type Row = readonly [create: Presence, retrieve: Presence, update: Presence, del: Presence, notify: Presence];

export const requestParameterPresence: Readonly<Record<string, Row>> = {
  op: ['M', 'M', 'M', 'M', 'M'],
  to: ['M', 'M', 'M', 'M', 'M'],
  fr: ['O', 'M', 'M', 'M', 'M'], // CREATE: mandatory except for AE CREATE (table note)
  rqi: ['M', 'M', 'M', 'M', 'M'],
  ty: ['M', 'NP', 'NP', 'NP', 'NP'],
  pc: ['M', 'O', 'M', 'NP', 'M'],
  rids: ['O', 'O', 'O', 'O', 'O'],
  ot: ['O', 'O', 'O', 'O', 'O'],
  rqet: ['O', 'O', 'O', 'O', 'O'],
  rset: ['O', 'O', 'O', 'O', 'O'],
  oet: ['O', 'O', 'O', 'O', 'O'],
  rt: ['O', 'O', 'O', 'O', 'O'],
  rp: ['O', 'O', 'O', 'O', 'NP'],
  rcn: ['O', 'O', 'O', 'O', 'NP'],
  ec: ['O', 'O', 'O', 'O', 'O'],
  da: ['O', 'O', 'O', 'O', 'O'],
  gid: ['O', 'O', 'O', 'O', 'O'],
  fc: ['NP', 'O', 'O', 'O', 'NP'],
  drt: ['NP', 'O', 'NP', 'NP', 'NP'],
  tkns: ['O', 'O', 'O', 'O', 'O'],
  tids: ['O', 'O', 'O', 'O', 'O'],
  ltids: ['O', 'O', 'O', 'O', 'O'],
  tqi: ['O', 'O', 'O', 'O', 'O'],
  grtm: ['O', 'O', 'O', 'O', 'NP'],
  asi: ['O', 'O', 'O', 'O', 'NP'],
  aus: ['O', 'O', 'O', 'O', 'NP'],
  auri: ['O', 'O', 'O', 'O', 'NP'],
  sqi: ['NP', 'O', 'NP', 'NP', 'NP'],
  rvi: ['M', 'M', 'M', 'M', 'M'],
  vsi: ['O', 'O', 'O', 'O', 'O'],
};

export const operationName: Readonly<Record<Operation, string>> = {
  [Operation.CREATE]: 'CREATE',
  [Operation.RETRIEVE]: 'RETRIEVE',
  [Operation.UPDATE]: 'UPDATE',
  [Operation.DELETE]: 'DELETE',
  [Operation.NOTIFY]: 'NOTIFY',
};

/**
 * Result Content values valid per operation, TS-0001 Table 8.1.2-1 (TS-0004 7.3.2.1 rejects others with 4000):
 * a RETRIEVE with filterUsage=discovery only allows child-resource-references (6).
 */
export const allowedResultContent = {
  [Operation.CREATE]: [0, 1, 2, 3, 9],
  [Operation.RETRIEVE]: [1, 4, 5, 6, 7, 8, 10],
  [Operation.UPDATE]: [0, 1, 9],
  [Operation.DELETE]: [0, 1, 4, 5, 6, 8],
  discovery: [6],
} as const;
