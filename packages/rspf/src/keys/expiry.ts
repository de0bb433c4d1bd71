// Enrolment Expiry (TS-0003 10.7): Km / Kpsa (and every other key derived from Ke) must not outlive
// Ke. Every lifetime an enrolment hands out goes through here.

/** The earlier of a proposed expiry and Ke's; undefined proposal means "as long as Ke". */
export function boundedByKe(keExpiresAt: number, proposed?: number): number {
  if (proposed === undefined || !Number.isFinite(proposed)) return keExpiresAt;
  return Math.min(proposed, keExpiresAt);
}

/** True while a key bound to Ke may still be used or handed out. */
export function isLive(expiresAt: number, now: number): boolean {
  return now < expiresAt;
}
