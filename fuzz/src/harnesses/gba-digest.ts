// HTTP Digest headers (RFC 7616 / 3310 AKA) as the GBA BSF (Ub) and the MEF's username/password option read them.
import { GbaError, parseDigestHeader as gbaParseDigest } from '@m2msec/gba';
import * as fc from 'fast-check';
import { harness } from '../harness.js';
import { textInput } from '../mutate.js';

const seeds = [
  'Digest username="001010000000001@ims.mnc001.mcc001.3gppnetwork.org", realm="bsf.m2msec.org", nonce="MTIzNDU2Nzg5MGFiY2RlZg==", uri="/", qop=auth-int, nc=00000001, cnonce="abc", response="6629fae49393a05397450978507c4ef1", opaque="5ccc069c403ebaf9f0171e9517f40e41", algorithm=AKAv1-MD5',
  'Digest username="u", realm="r", nonce="n", uri="/bootstrap", response="", algorithm=AKAv1-MD5, auts="AAAAAAAAAAAAAAAAAAAAAAAAAAAA"',
];

export default harness({
  name: 'gba-digest',
  parses: 'gba parseDigestHeader (Ub Authorization header, RFC 3310)',
  input: fc.tuple(textInput(seeds)),
  run([h]) {
    gbaParseDigest(h, 'Authorization');
  },
  refusal: (e) => e instanceof GbaError,
});
