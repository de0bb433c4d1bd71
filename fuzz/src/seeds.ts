// Valid inputs of each protocol (the mutation seeds). Files in fuzz/seeds/ were written by the project's own
// encoders (DSKPP messages of a 4-pass and a 2-pass run) or by openssl (a P-256 certificate and CSR).
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('../seeds/', import.meta.url));

export const seedText = (name: string) => readFileSync(dir + name, 'utf8');

export const seedFiles = (prefix: string) =>
  readdirSync(dir)
    .filter((f) => f.startsWith(prefix))
    .sort()
    .map(seedText);

/** The DER inside a PEM file. */
export const pemDer = (name: string) =>
  Buffer.from(
    seedText(name)
      .replace(/-----[^-]+-----/g, '')
      .replace(/\s+/g, ''),
    'base64',
  );
