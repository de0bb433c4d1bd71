import { describe, expect, it } from 'vitest';
import {
  clientIdForAe,
  clientIdForCse,
  escapeId,
  formatTopic,
  mqttTransportContext,
  parseTopic,
  subscriptionFilter,
  topicOriginatorId,
  unescapeCredentialId,
  unescapeId,
} from '../src/index.js';

const ids = { cseId: '/id-in', spId: 'm2msec.org' };

describe('ID escaping (TS-0010 6.4.2)', () => {
  it.each([
    ['/id-in', 'id-in'],
    ['/id-in/Cae1', 'id-in:Cae1'],
    ['//m2msec.org/id-in', ':m2msec.org:id-in'],
    ['//m2msec.org/id-in/Cae1', ':m2msec.org:id-in:Cae1'],
    ['Cae1', 'Cae1'],
    ['/Sae1', 'Sae1'],
  ])('%s <-> %s', (id, level) => {
    expect(escapeId(id)).toBe(level);
    expect(unescapeId(level)).toBe(id);
  });

  it('refuses IDs that cannot be one topic level', () => {
    expect(() => escapeId('C+x')).toThrow(/cannot be a topic level/);
    expect(() => escapeId('C#')).toThrow(/cannot be a topic level/);
    expect(() => escapeId('/')).toThrow(/cannot be a topic level/);
    expect(() => unescapeId('')).toThrow(/not an ID/);
  });

  it('Credential-IDs: "/" <-> ":" (6.4.4)', () => {
    expect(escapeId('12-dev1@m2msec.org')).toBe('12-dev1@m2msec.org');
    expect(escapeId('33-/id-in/Cae1')).toBe('33-:id-in:Cae1');
    expect(unescapeCredentialId('33-:id-in:Cae1')).toBe('33-/id-in/Cae1');
  });

  it('ClientIds carry A:: / C:: (6.3.3)', () => {
    expect(clientIdForAe('Cae1')).toBe('A::Cae1');
    expect(clientIdForCse('/id-in')).toBe('C::id-in');
  });
});

describe('topics', () => {
  it('formats and parses request, response and registration topics', () => {
    const t = { kind: 'req' as const, originator: 'Cae1', receiver: 'id-in', ser: 'json' };
    expect(formatTopic(t)).toBe('/oneM2M/req/Cae1/id-in/json');
    expect(parseTopic('/oneM2M/req/Cae1/id-in/json')).toEqual(t);
    expect(parseTopic('/oneM2M/reg_resp/12-dev1@m2msec.org/id-in/json').kind).toBe('reg_resp');
    expect(formatTopic(t, 'abc/def')).toBe('abc/def/oneM2M/req/Cae1/id-in/json');
    expect(parseTopic('abc/def/oneM2M/req/Cae1/id-in/json', 'abc/def')).toEqual(t);
  });

  it('subscription filters: requests by receiver, responses by originator (6.4.5)', () => {
    expect(subscriptionFilter('req', 'id-in')).toBe('/oneM2M/req/+/id-in/+');
    expect(subscriptionFilter('reg_req', 'id-in')).toBe('/oneM2M/reg_req/+/id-in/+');
    expect(subscriptionFilter('resp', 'Cae1')).toBe('/oneM2M/resp/Cae1/+/+');
  });

  it.each([
    ['oneM2M/req/Cae1/id-in/json', /not a oneM2M topic/],
    ['/oneM2M/req/Cae1/id-in', /does not have the form/],
    ['/oneM2M/req/Cae1/id-in/json/x', /does not have the form/],
    ['/oneM2M/get/Cae1/id-in/json', /not req, resp, reg_req or reg_resp/],
    ['/oneM2M/req//id-in/json', /empty originator/],
    ['/oneM2M/req/Cae1/id-in/yaml', /serialization "yaml"/],
  ])('malformed topic %s -> 4000', (topic, message) => {
    expect(() => parseTopic(topic)).toThrow(message);
    try {
      parseTopic(topic);
    } catch (e) {
      expect((e as { rsc: number }).rsc).toBe(4000);
    }
  });
});

describe('transport context: what the broker vouched for', () => {
  it.each([
    ['Cae1', '/id-in/Cae1'],
    ['id-in:Cae1', '/id-in/Cae1'],
    ['Sae1', '/Sae1'],
    ['id-mn', '/id-mn'],
    [':m2msec.org:id-mn', '/id-mn'],
    [':other.org:id-x', '//other.org/id-x'],
  ])('originator level %s is bound as %s', (level, bound) => {
    expect(topicOriginatorId(level, ids)).toBe(bound);
    const t = mqttTransportContext({ kind: 'req', originator: level, receiver: 'id-in', ser: 'json' }, ids);
    expect(t).toEqual({ binding: 'mqtt', mqtt: {}, association: { boundIds: [bound], framework: 'mqtt-broker' } });
  });

  it('a reg_req topic records the Credential-ID, binds no ID yet', () => {
    const t = mqttTransportContext(
      { kind: 'reg_req', originator: '12-dev1@m2msec.org', receiver: 'id-in', ser: 'json' },
      ids,
    );
    expect(t).toEqual({
      binding: 'mqtt',
      mqtt: { credentialId: '12-dev1@m2msec.org' },
      association: { boundIds: [], credentialId: '12-dev1@m2msec.org', framework: 'mqtt-broker' },
    });
  });

  it('an originator level that is no AE-ID or CSE-ID -> 4000', () => {
    // A single level that is not a C- or S-stem is a CSE-ID (TS-0001 Table 7.2-1 classification).
    expect(topicOriginatorId('xyz', ids)).toBe('/xyz');
    expect(() => topicOriginatorId('a:b:c', ids)).toThrow(/malformed/);
    expect(() => topicOriginatorId('id-in:Cae1:x', ids)).toThrow(/malformed/);
    expect(() => topicOriginatorId('C!', ids)).toThrow(/malformed/);
  });
});
