// EST request bodies (RFC 7030 4.2.1, RFC 8951 3.2): base64 of a PKCS#10 DER with line breaks, decoded and
// parsed exactly as the EST server does before any signature check.
import { decodeBase64Body, EstError, parseCsr } from '@m2msec/est';
import { harness } from '../harness.js';
import { textInput } from '../mutate.js';
import { pemDer } from '../seeds.js';

const b64 = pemDer('csr.pem').toString('base64');
const seeds = [b64, b64.replace(/(.{64})/g, '$1\r\n'), ` ${b64.slice(0, 40)}\n${b64.slice(40)}\t`];

export default harness({
  name: 'est-body',
  parses: 'est decodeBase64Body + parseCsr (the simpleenroll / simplereenroll body)',
  input: textInput(seeds),
  run(text) {
    parseCsr(decodeBase64Body(Buffer.from(text, 'latin1'), 'PKCS#10'));
  },
  refusal: (e) => e instanceof EstError,
});
