// Where a request for a point of access goes (TS-0010 6.6): the <receiver> level and topic prefix.
import { M2MError, parseOriginator, ResponseStatusCode } from '@m2msec/protocol';
import { show } from '../lib/errors.js';
import { isTopicLevel, unescapeId } from '../topics/escape-id.js';

export interface MqttDestination {
  /** Topic prefix from the point of access path ('' when none). */
  prefix: string;
  /** <receiver> in topic form. */
  receiver: string;
  /** The receiver's ID (for To when the request's To was the point of access URL itself). */
  receiverId: string;
}

const unreachable = (message: string) => new M2MError(ResponseStatusCode.TARGET_NOT_REACHABLE, message);

// A path that is a whole request topic (6.6: a notificationURI's path is the entire topic).
const REQUEST_TOPIC = /^(.*?)\/?oneM2M\/req\/([^/]+)\/([^/]+)\/json$/;

/**
 * The receiver level for a target ID or address: a C-type AE of `cseId` by its AE-ID-Stem (the topic
 * form TS-0010 7.4 uses), an S-type AE by its stem, a CSE by its CSE-ID without '/', and a resource
 * address SP-relative '/<csi>/...' by its hosting CSE.
 */
export function receiverForTarget(to: string, cseId: string): string | undefined {
  try {
    const o = parseOriginator(to);
    if (o.kind === 'ae-c' && (o.cseId === undefined || o.cseId === cseId) && o.spId === undefined) return o.stem;
    if (o.kind === 'ae-s' && o.spId === undefined) return o.stem;
    if (o.kind === 'cse' && o.spId === undefined) return o.cseId!.slice(1);
  } catch {
    // not an entity ID: a resource address
  }
  const m = /^\/([^/]+)\/./.exec(to);
  if (m !== null && !to.startsWith('//')) return m[1];
  return undefined;
}

/** Resolves a mqtt:// or mqtts:// point of access plus the request's To into a destination. */
export function destinationFor(url: URL, to: string, cseId: string): MqttDestination {
  const path = decodeURIComponent(url.pathname);
  const whole = REQUEST_TOPIC.exec(path);
  if (whole !== null) {
    const [, prefix, , receiver] = whole as unknown as [string, string, string, string];
    if (!isTopicLevel(receiver)) throw unreachable(`point of access topic has a malformed receiver ${show(receiver)}`);
    return { prefix: prefix.replace(/^\//, ''), receiver, receiverId: unescapeId(receiver) };
  }
  const prefix = path.replace(/^\/+/, '').replace(/\/+$/, '');
  const receiver = /^[a-z][a-z0-9+.-]*:\/\//i.test(to) ? undefined : receiverForTarget(to, cseId);
  if (receiver === undefined) {
    throw unreachable(
      `cannot tell the MQTT receiver for To ${show(to)}: give an AE-ID, CSE-ID or SP-relative address, or a point of access whose path is the request topic`,
    );
  }
  return { prefix, receiver, receiverId: unescapeId(receiver) };
}
