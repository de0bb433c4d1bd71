// labelsQuery (TS-0004 7.3.3.17.16): an expression over 'key' / 'key:value' labels.
//   key | NT key | key EQ value | key:value | key NE value | key IN (v1, v2) | key NI (v1, v2)
import { M2MError, ResponseStatusCode } from '@m2msec/protocol';

export type LabelsQuery = (labels: readonly string[]) => boolean;

const bad = (q: string): never => {
  throw new M2MError(
    ResponseStatusCode.BAD_REQUEST,
    `labelsQuery (lbq) '${q}' is not an expression of TS-0004 7.3.3.17.16 (key, NT key, key EQ value, key:value, key NE value, key IN (...), key NI (...))`,
  );
};

/** The values of `key` among labels in 'key:value' form, and whether the key occurs at all. */
function valuesOf(labels: readonly string[], key: string): { present: boolean; values: string[] } {
  const values: string[] = [];
  let present = false;
  for (const l of labels) {
    if (l === key) present = true;
    else if (l.startsWith(`${key}:`)) {
      present = true;
      values.push(l.slice(key.length + 1));
    }
  }
  return { present, values };
}

function list(q: string, text: string): string[] {
  const m = /^\((.*)\)$/.exec(text.trim());
  if (!m) bad(q);
  const items = m![1]!.split(',').map((v) => v.trim());
  if (items.some((v) => v === '')) bad(q);
  return items;
}

/** Compiles one expression; a malformed one is 4000. */
export function compileLabelsQuery(q: string): LabelsQuery {
  const text = q.trim();
  const nt = /^NT\s+(\S+)$/.exec(text);
  if (nt) return (labels) => !valuesOf(labels, nt[1]!).present;
  const op = /^(\S+)\s+(EQ|NE|IN|NI)\s+(.+)$/.exec(text);
  if (op) {
    const [, key, operator, rest] = op as unknown as [string, string, string, string];
    switch (operator) {
      case 'EQ':
        return (labels) => labels.includes(`${key}:${rest.trim()}`);
      case 'NE': {
        const value = rest.trim();
        return (labels) => {
          const { values } = valuesOf(labels, key);
          return values.length > 0 && !values.includes(value);
        };
      }
      case 'IN': {
        const wanted = list(q, rest);
        return (labels) => valuesOf(labels, key).values.some((v) => wanted.includes(v));
      }
      default: {
        const unwanted = list(q, rest);
        return (labels) => {
          const { values } = valuesOf(labels, key);
          return values.length > 0 && !values.some((v) => unwanted.includes(v));
        };
      }
    }
  }
  if (/\s/.test(text) || text === '') bad(q);
  const colon = text.indexOf(':');
  if (colon > 0) return (labels) => labels.includes(text); // key:value
  return (labels) => valuesOf(labels, text).present;
}
