// A small structural validator for the subset of XML Schema the DSKPP and PSKC schemas use:
// ordered sequences with occurrence bounds, choices, simple content with lexical checks, required
// and optional attributes, and ##other wildcards. Every violation is a MalformedRequest naming the
// path, so a client learns which element is wrong.
import type { Element, Node } from '@xmldom/xmldom';
import { DskppError } from '../lib/errors.js';

/** Returns an error text for an invalid lexical value, undefined when valid. */
export type TextCheck = (value: string) => string | undefined;

export interface ElementType {
  attributes?: Record<string, { required?: boolean; check: TextCheck }>;
  content:
    | { kind: 'empty' }
    | { kind: 'text'; check: TextCheck }
    | { kind: 'elements'; particles: Particle[]; optionalGroup?: boolean }
    /** Content checked elsewhere (or not at all: foreign extensions). */
    | { kind: 'opaque' };
}

export type Particle =
  | { ns: string; name: string; min?: number; max?: number; type: ElementType }
  | { choice: Particle[]; min?: number; max?: number }
  /** xs:any namespace="##other": one element outside `ownNamespace`, content unchecked. */
  | { anyOther: string; min?: number; max?: number };

const ELEMENT_NODE = 1;
const TEXT_NODE = 3;
const CDATA_NODE = 4;
const XMLNS = 'http://www.w3.org/2000/xmlns/';
const XSI = 'http://www.w3.org/2001/XMLSchema-instance';

function fail(path: string, message: string): never {
  throw new DskppError('MalformedRequest', `${path}: ${message}`);
}

function matches(p: Particle, e: Element): boolean {
  if ('choice' in p) return p.choice.some((c) => matches(c, e));
  if ('anyOther' in p) return e.namespaceURI !== p.anyOther && e.namespaceURI !== null;
  return e.namespaceURI === p.ns && e.localName === p.name;
}

function describe(p: Particle): string {
  if ('choice' in p) return `one of (${p.choice.map(describe).join(' | ')})`;
  if ('anyOther' in p) return 'an element of another namespace';
  return p.name;
}

function validateParticle(p: Particle, e: Element, path: string): void {
  if ('choice' in p) {
    const alt = p.choice.find((c) => matches(c, e));
    if (alt) validateParticle(alt, e, path);
    return;
  }
  if ('anyOther' in p) return;
  validateElement(e, p.type, path);
}

export function validateElement(e: Element, type: ElementType, path: string): void {
  for (let i = 0; i < e.attributes.length; i++) {
    const a = e.attributes.item(i);
    if (!a || a.namespaceURI === XMLNS || a.name === 'xmlns' || a.name.startsWith('xmlns:')) continue;
    if (a.namespaceURI === XSI) continue;
    const spec = a.namespaceURI ? undefined : type.attributes?.[a.localName ?? a.name];
    if (!spec) fail(path, `unexpected attribute ${a.name}`);
    const err = spec.check(a.value);
    if (err) fail(`${path}/@${a.name}`, err);
  }
  for (const [name, spec] of Object.entries(type.attributes ?? {})) {
    if (spec.required && !e.hasAttribute(name)) fail(path, `missing required attribute ${name}`);
  }

  const elements: Element[] = [];
  let textContent = '';
  for (let n: Node | null = e.firstChild; n; n = n.nextSibling) {
    if (n.nodeType === ELEMENT_NODE) elements.push(n as Element);
    else if (n.nodeType === TEXT_NODE || n.nodeType === CDATA_NODE) textContent += n.nodeValue ?? '';
  }

  const content = type.content;
  if (content.kind === 'opaque') return;
  if (content.kind === 'empty') {
    if (elements.length || textContent.trim()) fail(path, 'must be empty');
    return;
  }
  if (content.kind === 'text') {
    if (elements.length) fail(path, `must not contain elements (found ${elements[0]?.localName})`);
    const err = content.check(textContent.trim());
    if (err) fail(path, err);
    return;
  }
  if (textContent.trim()) fail(path, 'must not contain text');
  if (content.optionalGroup && elements.length === 0) return;

  let i = 0;
  for (const p of content.particles) {
    const min = p.min ?? 1;
    const max = p.max ?? 1;
    let count = 0;
    while (i < elements.length && count < max && matches(p, elements[i] as Element)) {
      const child = elements[i] as Element;
      validateParticle(p, child, `${path}/${child.localName}${count > 0 ? `[${count + 1}]` : ''}`);
      i++;
      count++;
    }
    if (count < min) {
      const found = elements[i] ? `found ${elements[i]?.localName}` : 'found nothing';
      fail(path, `missing ${describe(p)} (${found})`);
    }
  }
  if (i < elements.length) fail(path, `unexpected element ${elements[i]?.localName}`);
}

// Lexical checks of the simple types in use.
export const anyText: TextCheck = () => undefined;
export const nonEmpty: TextCheck = (v) => (v.length === 0 ? 'must not be empty' : undefined);
export const anyUri: TextCheck = (v) =>
  v.length === 0 || v.length > 2048 || /\s/.test(v) ? 'must be a URI without spaces' : undefined;
export const identifier: TextCheck = (v) =>
  v.length === 0 || v.length > 128 ? 'must be an identifier of 1..128 characters' : undefined;
export const versionText: TextCheck = (v) => (/^\d{1,2}\.\d{1,3}$/.test(v) ? undefined : 'is not a version (n.m)');
export const booleanText: TextCheck = (v) =>
  ['true', 'false', '1', '0'].includes(v) ? undefined : 'must be a boolean';
export const intText: TextCheck = (v) =>
  /^[+-]?\d{1,10}$/.test(v) && Math.abs(Number(v)) <= 2 ** 31 ? undefined : 'must be an int';
export const dateTimeText: TextCheck = (v) =>
  /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/.test(v) && !Number.isNaN(Date.parse(v))
    ? undefined
    : 'must be an xs:dateTime';
export function base64Text(minBytes = 0, maxBytes = 4096): TextCheck {
  return (v) => {
    const s = v.replace(/[ \t\r\n]/g, '');
    if (s.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(s)) return 'must be base64';
    const n = (s.length / 4) * 3 - (s.endsWith('==') ? 2 : s.endsWith('=') ? 1 : 0);
    if (n < minBytes || n > maxBytes) return `must decode to ${minBytes}..${maxBytes} bytes (got ${n})`;
    return undefined;
  };
}
export function oneOf(values: readonly string[]): TextCheck {
  return (v) => (values.includes(v) ? undefined : `must be one of ${values.join(', ')}`);
}
