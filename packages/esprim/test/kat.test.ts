// Known-answer tests for the key derivation ESPrim uses (TS-0003 10.3.8.2), with the rand-object octets
// chosen here (docs/end-to-end-security.md), cross-checked against `openssl mac` inside the test.
import { describe, expect, it } from 'vitest';
import {
  contentEncryptionKey,
  type OriginatorESPrimRandObject,
  type ReceiverESPrimRandObject,
  randObjectOctets,
  sessionESPrimKey,
} from '../src/index.js';
import { opensslHmacSha256 } from './helpers.js';

const pairwise = Buffer.from('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f', 'hex');
const receiver: ReceiverESPrimRandObject = {
  esri: 'uRECEIVER1',
  esrv: 'v00112233445566778899aabbccddeeff',
  esrx: '20300101T000000',
  esks: [1],
  espa: [10, 11, 12],
};
const originator: OriginatorESPrimRandObject = {
  esri: 'oORIGINATOR1',
  esrv: 'vffeeddccbbaa99887766554433221100',
  esrx: '20291231T000000',
  esk: 1,
  espa: [12],
};
const LABEL = 'oneM2M HMAC-SHA256 sessionESPrimKey derivation algorithm';

describe('TS-0003 10.3.8.2 sessionESPrimKey', () => {
  it('rand-object octets: short-name JSON in the member order of TS-0004 Tables 6.3.5.50 / 6.3.5.51', () => {
    expect(randObjectOctets(receiver).toString()).toBe(
      '{"esri":"uRECEIVER1","esrv":"v00112233445566778899aabbccddeeff","esrx":"20300101T000000","esks":[1],"espa":[10,11,12]}',
    );
    // Member order in the input object does not matter.
    const shuffled = { espa: [12], esk: 1, esrx: '20291231T000000', esrv: originator.esrv, esri: 'oORIGINATOR1' };
    expect(randObjectOctets(shuffled)).toEqual(randObjectOctets(originator));
  });

  it('= HMAC-SHA256(pairwiseESPrimKey, receiver || originator || label): fixed vector and openssl agree', () => {
    const key = sessionESPrimKey(pairwise, receiver, originator);
    const data = Buffer.concat([randObjectOctets(receiver), randObjectOctets(originator), Buffer.from(LABEL)]);
    expect(key.toString('hex')).toBe(opensslHmacSha256(pairwise, data));
    expect(key.toString('hex')).toBe('c9a9b326ced420cf07acd2c7faf74c72de2bfda9021efc800e7b4b4ae1e566b7');
  });

  it('A128GCM / A192GCM take the leading 16 / 24 bytes, A256GCM the whole key', () => {
    const key = sessionESPrimKey(pairwise, receiver, originator);
    expect(contentEncryptionKey(key, 'A128GCM')).toEqual(key.subarray(0, 16));
    expect(contentEncryptionKey(key, 'A192GCM')).toEqual(key.subarray(0, 24));
    expect(contentEncryptionKey(key, 'A256GCM')).toEqual(key);
  });

  it('swapping the rand objects (receiver first is the spec order) changes the key', () => {
    const a = sessionESPrimKey(pairwise, receiver, originator);
    const swapped = Buffer.concat([randObjectOctets(originator), randObjectOctets(receiver), Buffer.from(LABEL)]);
    expect(a.toString('hex')).not.toBe(opensslHmacSha256(pairwise, swapped));
  });
});
