// Channel names become part of a PostgreSQL identifier (LISTEN takes no parameters), so they are
// restricted to a safe alphabet; payloads are bounded by NOTIFY's 8,000-byte limit with room to spare.
const CHANNEL = /^[a-z0-9-]{1,40}$/;
export const MAX_EVENT_PAYLOAD = 7000;

export function checkChannel(channel: unknown): string {
  if (typeof channel !== 'string' || !CHANNEL.test(channel)) {
    throw new TypeError(
      `event channel must match [a-z0-9-]{1,40}, got ${JSON.stringify(String(channel)).slice(0, 60)}`,
    );
  }
  return channel;
}

export function checkPayload(payload: unknown): string {
  if (typeof payload !== 'string' || Buffer.byteLength(payload) > MAX_EVENT_PAYLOAD) {
    throw new TypeError(`event payload must be a string of at most ${MAX_EVENT_PAYLOAD} bytes`);
  }
  return payload;
}
