// The KeyContainer as the client stores it: the client keeps the standalone document that
// decodeMessage cuts out of KeyProvServerFinished, and its SE attests those exact bytes. The server
// derives the same bytes from its own answer so it can check that attestation later.
import { decodeMessage } from '../messages/decode.js';

export function clientViewOfKeyContainer(serverFinishedXml: string): string {
  const m = decodeMessage(serverFinishedXml);
  if (m.type !== 'KeyProvServerFinished' || !m.keyPackage) throw new Error('not a KeyProvServerFinished with a key');
  return m.keyPackage.keyContainerXml;
}
