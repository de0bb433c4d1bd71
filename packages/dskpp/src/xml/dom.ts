// Small DOM accessors over an element already checked by the schema validator.
import type { Element, Node } from '@xmldom/xmldom';

const ELEMENT_NODE = 1;

export function childElements(el: Element): Element[] {
  const out: Element[] = [];
  for (let n: Node | null = el.firstChild; n; n = n.nextSibling)
    if (n.nodeType === ELEMENT_NODE) out.push(n as Element);
  return out;
}

export function child(el: Element, ns: string, name: string): Element | undefined {
  return childElements(el).find((c) => c.namespaceURI === ns && c.localName === name);
}

export function children(el: Element, ns: string, name: string): Element[] {
  return childElements(el).filter((c) => c.namespaceURI === ns && c.localName === name);
}

/** Text content with XML whitespace trimmed (the simple types used here collapse or forbid spaces). */
export function text(el: Element): string {
  return (el.textContent ?? '').trim();
}

export function attr(el: Element, name: string): string | undefined {
  return el.hasAttribute(name) ? (el.getAttribute(name) ?? undefined) : undefined;
}
