// The <mgmtObj> specializations for remote security configuration (TS-0004 Table 6.3.4.2.22-1 codes
// 1022..1026, TS-0001 Annex D, TS-0003 8.3.8 / 8.3.9.9 / 12.4.2). Their attribute tables are in TS-0022,
// which this project does not have: the names follow the elements TS-0003 uses (SUID, TLSCiphersuites,
// symmKeyID, keyRegDuration, myCertFingerprint, certFingerprint, URI, sec:clientRegCfg), the short
// names and the status attributes are this project's choice (docs/remote-security-config.md).
import type { AttributeRow } from '../generated/attribute-tables.js';
import { type MgmtObjTable, mgmtObjTables } from '../generated/mgmt-obj-tables.js';

const row = (
  long: string,
  short: string,
  type: string,
  create: AttributeRow['create'],
  update: AttributeRow['update'],
  multiplicity = '0..1',
): AttributeRow => ({ long, short, type, create, update, multiplicity });

// Universal and common attributes of every specialization (rn .. dc), as the generated tables give them.
const firmware = mgmtObjTables[1001]!.attributes;
const common = firmware.slice(0, firmware.findIndex((r) => r.short === 'dc') + 1);

/**
 * What the managed entity reports back (docs/remote-security-config.md): applyStatus 1 pending, 2 applied,
 * 3 failed; the CSE sets 1 whenever the configuration attributes change.
 */
const status: AttributeRow[] = [
  // Set by the CSE (1 on CREATE, +1 on every configuration change); a status report names the version
  // it applied and is refused (4105) when the configuration has changed since.
  row('configVersion', 'cfgv', 'xs:positiveInteger', 'NP', 'O'),
  row('applyStatus', 'apst', 'xs:positiveInteger', 'NP', 'O'),
  row('applyResult', 'aprs', 'xs:string', 'NP', 'O'),
  row('appliedFingerprint', 'apfp', 'xs:string', 'NP', 'O'),
  row('applyTime', 'aptm', 'm2m:timestamp', 'NP', 'O'),
];

const clientRegCfg = (name: string, short: string, source: string): MgmtObjTable => ({
  name,
  short,
  source,
  attributes: [
    ...common,
    row('fqdn', 'fqdn', 'xs:anyURI', 'M', 'O', '1'),
    row('adminFQDN', 'adfq', 'xs:anyURI', 'M', 'O', '1'),
    // TS-0003 Table 12.4.2-1 types the ports xs:unsignedByte, which cannot hold a port: 0..65535 here.
    row('httpPort', 'hpt', 'xs:unsignedShort', 'O', 'O'),
    row('coapPort', 'copt', 'xs:unsignedShort', 'O', 'O'),
    row('websocketPort', 'wspt', 'xs:unsignedShort', 'O', 'O'),
    ...status,
  ],
});

export const securityMgmtObjTables: Readonly<Record<number, MgmtObjTable>> = {
  1022: {
    name: 'authenticationProfile',
    short: 'aupf',
    source: 'TS-0003 8.3.9.9.2 (attributes named there; TS-0022 not available)',
    attributes: [
      ...common,
      row('SUID', 'suid', 'm2m:suid', 'M', 'O', '1'),
      row('TLSCiphersuites', 'tlscs', 'list of xs:unsignedShort', 'O', 'O'),
      row('symmKeyID', 'skid', 'xs:string', 'O', 'O'),
      // Listed so that it is refused with a precise message: a key never travels here (TS-0003 8.3.8).
      row('symmKeyValue', 'skv', 'xs:string', 'O', 'O'),
      row('keyRegDuration', 'krd', 'xs:positiveInteger', 'O', 'O'),
      row('keyRegLabels', 'krl', 'm2m:labels', 'O', 'O'),
      row('myCertFingerprint', 'mcfp', 'xs:string', 'O', 'O'),
      row('MEFClientRegCfgID', 'mecr', 'm2m:ID', 'O', 'O'),
      row('MAFClientRegCfgID', 'macr', 'm2m:ID', 'O', 'O'),
      row('trustAnchorCredIDs', 'tacs', 'list of m2m:ID', 'O', 'O', '0..1(L)'),
      ...status,
    ],
  },
  1023: {
    name: 'myCertFileCred',
    short: 'mcfc',
    source: 'TS-0001 Annex D, TS-0003 8.3.8 (TS-0022 not available)',
    attributes: [
      ...common,
      row('SUIDs', 'suids', 'list of m2m:suid', 'O', 'O', '0..1(L)'),
      row('myCertFileFormat', 'mcff', 'xs:string', 'O', 'O'),
      row('myCertFileContent', 'mcfct', 'xs:string', 'O', 'O'),
      row('MEFClientRegCfgID', 'mecr', 'm2m:ID', 'O', 'O'),
      ...status,
    ],
  },
  1024: {
    name: 'trustAnchorCred',
    short: 'tac',
    source: 'TS-0003 8.3.9.9.7 (TS-0022 not available)',
    attributes: [
      ...common,
      row('certFingerprint', 'cfp', 'xs:string', 'M', 'O', '1'),
      row('URI', 'turi', 'xs:anyURI', 'M', 'O', '1'),
      ...status,
    ],
  },
  1025: clientRegCfg('MAFClientRegCfg', 'mafcr', 'TS-0003 12.4.2 sec:clientRegCfg'),
  1026: clientRegCfg('MEFClientRegCfg', 'mefcr', 'TS-0003 12.4.2 sec:clientRegCfg'),
};
