// The provisioning CSV is checked whole before the first request: a malformed file provisions nothing.
import { describe, expect, it } from 'vitest';
import { parseProvisioningCsv } from '../src/bulk.js';

const header = 'kpmId,kpm,enroleeId,targetId,suid,enrolmentExpirySeconds';
const key = 'ab'.repeat(32);

describe('parseProvisioningCsv', () => {
  it('parses rows with their line numbers, skipping blank lines', () => {
    const rows = parseProvisioningCsv(
      `${header}\nd1@mef,${key},Cd1,/id-in,21,3600\n\nd2@mef,${key},Cd2,/id-in,21,3600\n`,
    );
    expect(rows.map((r) => [r.line, r.kpmId, r.suid])).toEqual([
      [2, 'd1@mef', 21],
      [4, 'd2@mef', 21],
    ]);
  });
  it.each([
    ['kpmId,kpm\nx,y', /header must be/],
    [`${header}\n`, /no rows/],
    [`${header}\nd1,${key},Cd1,/id-in,21`, /line 2: 5 fields/],
    [`${header}\nd1,abc,Cd1,/id-in,21,3600`, /line 2: kpm must be 16 to 64 bytes of hex/],
    [`${header}\nd1,${key},Cd1,/id-in,x,3600`, /line 2: suid and enrolmentExpirySeconds are integers/],
    [`${header}\nd1,${key},Cd1,/id-in,21,3600\nd1,${key},Cd2,/id-in,21,3600`, /line 3: kpmId d1 repeated/],
    [`${header}\n"d1",${key},Cd1,/id-in,21,3600`, /quoted fields/],
    [`${header}\nd 1,${key},Cd1,/id-in,21,3600`, /kpmId is not a KpmID/],
  ])('refuses %#', (csv, message) => {
    expect(() => parseProvisioningCsv(csv)).toThrow(message);
  });
  it('an error message never carries a key', () => {
    try {
      parseProvisioningCsv(`${header}\nd1,${key},,/id-in,21,3600`);
    } catch (e) {
      expect((e as Error).message).not.toContain(key);
    }
  });
});
