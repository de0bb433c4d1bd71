// XML writing: messages are built as strings with every text and attribute value escaped.

export function escapeXml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&${{ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot', "'": 'apos' }[c]};`);
}

export type Attrs = Record<string, string | undefined>;

/** <name attrs>content</name>; `content` is either already-built child markup (array) or text. */
export function el(name: string, attrs: Attrs, content?: string | string[]): string {
  const a = Object.entries(attrs)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${escapeXml(v as string)}"`)
    .join('');
  if (content === undefined || (Array.isArray(content) && content.length === 0)) return `<${name}${a}/>`;
  const body = Array.isArray(content) ? content.join('') : escapeXml(content);
  return `<${name}${a}>${body}</${name}>`;
}

export const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>';
