// The secret-leak scanner (issue 20 "Must show"): looks for provisioned keys, in every text form a key
// takes when it leaks (hex in either case, base64, base64url, unpadded base64), in collected log output
// and in every file under the given roots except the keystores named. Binary files are read byte for
// byte (latin1), so a key written raw into a database page is found too when its encoded form is there.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

export interface Finding {
  /** 'output:<name>' or the file path. */
  where: string;
  secret: string;
  form: string;
}

/** The text forms of one key, each text once (base64url equals unpadded base64 when neither + nor / occurs). */
export function secretForms(key: Buffer): Array<[string, string]> {
  const b64 = key.toString('base64');
  const forms: Array<[string, string]> = [
    ['hex', key.toString('hex')],
    ['HEX', key.toString('hex').toUpperCase()],
    ['base64', b64],
    ['base64 unpadded', b64.replace(/=+$/, '')],
    ['base64url', key.toString('base64url')],
  ];
  return forms.filter(([, text], i) => forms.findIndex(([, t]) => t === text) === i);
}

function* files(root: string, skip: Set<string>): Generator<string> {
  let entries: string[];
  try {
    entries = readdirSync(root);
  } catch {
    return;
  }
  for (const e of entries) {
    const p = resolve(join(root, e));
    if (skip.has(p)) continue;
    const st = statSync(p, { throwIfNoEntry: false });
    if (!st) continue;
    if (st.isDirectory()) yield* files(p, skip);
    else if (st.isFile()) yield p;
  }
}

/**
 * Scans `outputs` (name -> text) and every file under `roots` but `keystores` for each of `secrets`
 * (name -> key bytes). Returns one finding per secret, form and place.
 */
export function scanForSecrets(o: {
  secrets: Record<string, Buffer>;
  outputs: Record<string, string>;
  roots: string[];
  keystores?: string[];
}): Finding[] {
  const skip = new Set((o.keystores ?? []).map((k) => resolve(k)));
  const places: Array<[string, string]> = Object.entries(o.outputs).map(([n, t]) => [`output:${n}`, t]);
  for (const root of o.roots) for (const f of files(root, skip)) places.push([f, readFileSync(f).toString('latin1')]);
  const out: Finding[] = [];
  for (const [secret, key] of Object.entries(o.secrets)) {
    for (const [form, text] of secretForms(key)) {
      for (const [where, content] of places) if (content.includes(text)) out.push({ where, secret, form });
    }
  }
  return out;
}
