// M2M-SP-ID FQDN (TS-0004 6.2.3 ABNF: lowercase labels). Choice: a label may start with a digit
// (RFC 1123) although the ABNF's LABEL starts with a letter; uppercase is refused so that one SP
// never has two spellings.
const FQDN = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;

export function isSpFqdn(s: string): boolean {
  return FQDN.test(s);
}
