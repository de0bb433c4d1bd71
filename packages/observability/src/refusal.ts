// Which response status codes are security refusals (TS-0004 Table 6.6.3.3-1), named for the refusals
// metric and the security log line. Other 4xxx codes are the client's mistakes, not refusals.
const REFUSALS: Record<number, string> = {
  4101: 'subscription-creator-has-no-privilege',
  4103: 'originator-has-no-privilege', // authorization's decision (TS-0003 7.1)
  4106: 'originator-not-authenticated', // authentication (TS-0003 7.2.1)
  4107: 'security-association-required',
  4112: 'esprim-unknown-key-id', // end-to-end security of primitives (TS-0003 8.4)
  4113: 'esprim-unknown-orig-rand-id',
  4114: 'esprim-unknown-recv-rand-id',
  4115: 'esprim-bad-mac',
  4116: 'esprim-impersonation',
  4126: 'app-rule-validation-failed', // registration's applicable credential rules (TS-0001 9.6.5)
  4127: 'operation-denied-by-remote-entity',
};

export function refusalReasonOf(rsc: number): string | undefined {
  return REFUSALS[rsc];
}
