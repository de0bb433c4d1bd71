import { checkLength } from '../lib/bytes.js';
import { EXPORTER_LENGTH } from './labels.js';

/**
 * TS-0003 clause 10.3.1 splits the 48-byte exporter output into a key (the 32 least significant
 * bytes) and an identifier (the 16 most significant bytes). Exporter output is a big-endian octet
 * string, so the identifier is bytes 0..15 and the key bytes 16..47. Both are fresh copies.
 */
function split(output: Uint8Array, name: string): { key: Buffer; id: Buffer } {
  const out = checkLength(output, name, EXPORTER_LENGTH);
  return { id: Buffer.from(out.subarray(0, 16)), key: Buffer.from(out.subarray(16)) };
}

/** Ke and RelativeKeID from the "EXPORTER-oneM2M-Bootstrap" output (clause 10.3.1). */
export function splitBootstrapExport(output: Uint8Array): { ke: Buffer; relativeKeID: Buffer } {
  const { key, id } = split(output, 'bootstrap exporter output');
  return { ke: key, relativeKeID: id };
}

/** Kc and KcID from the "EXPORTER-oneM2M-Connection" output (clause 10.3.1, used by clause 10.3.5). */
export function splitConnectionExport(output: Uint8Array): { kc: Buffer; kcID: Buffer } {
  const { key, id } = split(output, 'connection exporter output');
  return { kc: key, kcID: id };
}

/** pairwiseE2EKey and pairwiseE2EKeyID from the "EXPORTER-oneM2M-ESCertKE" output (clause 10.3.1). */
export function splitEscertkeExport(output: Uint8Array): { pairwiseE2EKey: Buffer; pairwiseE2EKeyID: Buffer } {
  const { key, id } = split(output, 'ESCertKE exporter output');
  return { pairwiseE2EKey: key, pairwiseE2EKeyID: id };
}
