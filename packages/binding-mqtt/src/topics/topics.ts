// Topic names of TS-0010 6.4.2 - 6.4.4 and 6.5.4, with the optional prefix of a point of access path (6.6).
import { badRequest, show } from '../lib/errors.js';
import { isTopicLevel } from './escape-id.js';

export type TopicKind = 'req' | 'resp' | 'reg_req' | 'reg_resp';

/** A parsed oneM2M topic; originator and receiver are in topic form (see escapeId). */
export interface OneM2MTopic {
  kind: TopicKind;
  originator: string;
  receiver: string;
  /** Serialization: 'json', 'xml' or 'cbor' (6.5.4). */
  ser: string;
}

const KINDS: ReadonlySet<string> = new Set(['req', 'resp', 'reg_req', 'reg_resp']);
const SERIALIZATIONS: ReadonlySet<string> = new Set(['json', 'xml', 'cbor']);

/** The response kind answering a request kind. */
export const responseKind = { req: 'resp', reg_req: 'reg_resp' } as const;

/** '/oneM2M/<kind>/<originator>/<receiver>/<ser>' below `prefix` (a 6.6 path such as 'abc/def', or ''). */
export function formatTopic(t: OneM2MTopic, prefix = ''): string {
  for (const [what, level] of [
    ['originator', t.originator],
    ['receiver', t.receiver],
  ] as const) {
    if (!isTopicLevel(level)) badRequest(`${what} ${show(level)} cannot be a topic level`);
  }
  return `${prefix}/oneM2M/${t.kind}/${t.originator}/${t.receiver}/${t.ser}`;
}

/** The filter that receives every `kind` message addressed to (or, for responses, meant for) `id`. */
export function subscriptionFilter(kind: TopicKind, id: string, prefix = ''): string {
  if (!isTopicLevel(id)) badRequest(`${show(id)} cannot be a topic level`);
  // Requests name the receiver second, responses are read by the originator named first (6.4.3, 6.4.5).
  return kind === 'req' || kind === 'reg_req'
    ? `${prefix}/oneM2M/${kind}/+/${id}/+`
    : `${prefix}/oneM2M/${kind}/${id}/+/+`;
}

/** Parses a topic name below `prefix`; anything but the 6.4 shapes -> M2MError 4000 naming the problem. */
export function parseTopic(topic: string, prefix = ''): OneM2MTopic {
  if (!topic.startsWith(`${prefix}/oneM2M/`)) badRequest(`topic ${show(topic)} is not a oneM2M topic`);
  const levels = topic.slice(prefix.length + '/oneM2M/'.length).split('/');
  if (levels.length !== 4) {
    badRequest(`topic ${show(topic)} does not have the form /oneM2M/<kind>/<originator>/<receiver>/<ser>`);
  }
  const [kind, originator, receiver, ser] = levels as [string, string, string, string];
  if (!KINDS.has(kind)) badRequest(`topic ${show(topic)}: '${show(kind)}' is not req, resp, reg_req or reg_resp`);
  if (originator === '' || receiver === '') badRequest(`topic ${show(topic)} has an empty originator or receiver`);
  if (!SERIALIZATIONS.has(ser)) badRequest(`topic ${show(topic)}: serialization ${show(ser)} is not json, xml or cbor`);
  return { kind: kind as TopicKind, originator, receiver, ser };
}
