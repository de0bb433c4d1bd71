// The one place the MQTT binding turns a topic into a TransportContext (DESIGN.md section 2).
//
// What the CSE may trust, and why: the broker authenticated the publisher by TLS (certificate or PSK,
// TS-0010 7.3) and its topic ACL lets a client publish requests only under its own name (TS-0010 7.4,
// infra/mosquitto/acl.template). So the <originator> level of a req topic IS the publisher, and the
// <Credential-ID> level of a reg_req topic IS the credential the broker verified (TS-0010 7.2). The
// payload (From, rqi, ...) is the client's own claim and is checked against that by authentication.
// The ClientId and the peer's address are not visible to a subscriber and are not recorded.
import { type IdContext, parseOriginator, type TransportContext, toSpRelativeOriginator } from '@m2msec/protocol';
import { badRequest, show } from '../lib/errors.js';
import { unescapeCredentialId, unescapeId } from '../topics/escape-id.js';
import type { OneM2MTopic } from '../topics/topics.js';

/** The framework name recorded in TransportContext.association for broker-authenticated identities. */
export const MQTT_BROKER_FRAMEWORK = 'mqtt-broker';

/**
 * The ID of a req topic's originator in the SP-relative form the CSE normalises From to: 'Cae1' ->
 * '<cseId>/Cae1', 'id-in:Cae1' -> '/id-in/Cae1', 'Sae1' -> '/Sae1', 'id-mn' -> '/id-mn', and
 * ':<own SP>:id-mn' -> '/id-mn'. 4000 when the level is no AE-ID or CSE-ID.
 */
export function topicOriginatorId(level: string, ids: IdContext): string {
  const id = unescapeId(level);
  const o = parseOriginator(id);
  if (o.kind === 'other') badRequest(`topic originator ${show(level)} is not an AE-ID or CSE-ID`);
  return toSpRelativeOriginator(o, ids);
}

/** TransportContext of a request that arrived on a req or reg_req topic. */
export function mqttTransportContext(topic: OneM2MTopic, ids: IdContext): TransportContext {
  if (topic.kind === 'reg_req') {
    const credentialId = unescapeCredentialId(topic.originator);
    // A first registration names no AE-ID yet: the registration gate checks the credential (TS-0010 7.2).
    return {
      binding: 'mqtt',
      mqtt: { credentialId },
      association: { boundIds: [], credentialId, framework: MQTT_BROKER_FRAMEWORK },
    };
  }
  if (topic.kind !== 'req') badRequest(`a request cannot arrive on a ${topic.kind} topic`);
  return {
    binding: 'mqtt',
    mqtt: {},
    association: { boundIds: [topicOriginatorId(topic.originator, ids)], framework: MQTT_BROKER_FRAMEWORK },
  };
}
