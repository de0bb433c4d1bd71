// Where a security association is required (TS-0003 6.1.2.2.1, TS-0004 7.3.2.1): always on Mcc
// (CSE originators outside an association get 4107) and on Mca towards an IN-CSE; Mca in the field
// domain is "strongly recommended", so configurable. This reference IN-CSE keeps a plain-HTTP Mca
// for local walk-throughs unless configured otherwise (docs/security-association.md).
export interface ReferencePointPolicy {
  /** Mcc / Mcc': CSE originators need an association. Only a closed lab may turn it off. */
  mcc: 'required' | 'waived-for-lab';
  /** Mca: AE originators need an association ('required'), or may also use plain transports. */
  mca: 'required' | 'optional';
}

export const defaultReferencePointPolicy: ReferencePointPolicy = { mcc: 'required', mca: 'optional' };

export function checkReferencePointPolicy(p: unknown): ReferencePointPolicy {
  const v = p as Partial<ReferencePointPolicy>;
  if (v?.mcc !== 'required' && v?.mcc !== 'waived-for-lab')
    throw new TypeError("policy.mcc is 'required' or 'waived-for-lab'");
  if (v.mca !== 'required' && v.mca !== 'optional') throw new TypeError("policy.mca is 'required' or 'optional'");
  return { mcc: v.mcc, mca: v.mca };
}
