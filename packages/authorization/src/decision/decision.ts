// The answer of the access decision point (TS-0003 6.2.2, 7.1): permit or deny, the rule that permitted
// (oneM2M has no deny rules, TS-0003 7.1.5 permit-overrides, so a denial names none) and a reason an
// administrator can read. A permit by a compiled rule returns that rule's frozen Decision, made when the
// policy was compiled, so the hot path allocates nothing for it.

export interface Decision {
  readonly permit: boolean;
  /** The permitting rule: `<acp ri>.pv.acr[i]`, `tkps.pm[i].pv.acr[j]` (a token), or `default-policy`. */
  readonly rule?: string;
  readonly reason: string;
}

/** A permit by one compiled rule, made once at compile time. */
export function rulePermit(rule: string): Decision {
  return Object.freeze({ permit: true, rule, reason: `permitted by ${rule}` });
}

/** TS-0001 Table 9.6.1.3.2-1: acpi has no value, so only the resource's creator is permitted. */
export const CREATOR_DEFAULT: Decision = Object.freeze({
  permit: true,
  rule: 'default-policy',
  reason: 'permitted by the default policy: the originator created the resource and it links no policy',
});

/** The administrator's fixed full privileges (TS-0001 9.6.1.3.2 system privileges). */
export const ADMINISTRATOR: Decision = Object.freeze({
  permit: true,
  rule: 'administrator',
  reason: 'the originator is an administrator of this CSE',
});

export function deny(reason: string): Decision {
  return { permit: false, reason };
}
