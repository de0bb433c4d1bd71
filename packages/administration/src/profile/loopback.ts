// Hosts only this machine can reach: where a development profile may serve plain HTTP that trusts
// the administrator originator (docs/administration.md).
const LOOPBACK_NAMES = new Set(['localhost', 'ip6-localhost', '::1']);

export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase();
  return LOOPBACK_NAMES.has(h) || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}
