// DSKPP messages (RFC 6063) and PSKC key containers (RFC 6030): XML from a peer, including DOCTYPEs with
// external and expanding entities (XXE, billion laughs) that must be refused, never resolved.
import { DskppError, decodeMessage, parseKeyContainer } from '@m2msec/dskpp';
import { harness } from '../harness.js';
import { mutatedText } from '../mutate.js';
import { seedFiles } from '../seeds.js';

const messages = seedFiles('dskpp-');
const hostile = [
  '<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><dskpp:KeyProvClientHello xmlns:dskpp="urn:ietf:params:xml:ns:keyprov:dskpp">&x;</dskpp:KeyProvClientHello>',
  `<?xml version="1.0"?><!DOCTYPE a [<!ENTITY a "aaaaaaaaaa">${Array.from({ length: 8 }, (_, i) => `<!ENTITY ${String.fromCharCode(98 + i)} "${`&${String.fromCharCode(97 + i)};`.repeat(10)}">`).join('')}]><a>&i;</a>`,
];
const containers = messages
  .map((m) => /<pskc:KeyContainer[\s\S]*<\/pskc:KeyContainer>/.exec(m)?.[0])
  .filter((c): c is string => c !== undefined);

export const dskppXml = harness({
  name: 'dskpp-xml',
  parses: 'dskpp decodeMessage (RFC 6063 messages, schema-checked)',
  input: mutatedText([...messages, ...hostile]),
  run(xml) {
    decodeMessage(xml);
  },
  refusal: (e) => e instanceof DskppError,
});

export const pskc = harness({
  name: 'pskc',
  parses: 'dskpp parseKeyContainer (RFC 6030 KeyContainer)',
  input: mutatedText([...containers, ...hostile]),
  run(xml) {
    parseKeyContainer(xml);
  },
  refusal: (e) => e instanceof DskppError,
});
