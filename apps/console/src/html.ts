// Server-rendered HTML: escaped template pieces and the page layout. No inline script or style (the
// Content-Security-Policy allows only the console's own /static files).
export const esc = (v: unknown): string => String(v ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export interface Raw {
  readonly html: string;
}
export const raw = (html: string): Raw => ({ html });

/** Tagged template: interpolations are escaped unless raw() (or arrays of raw). */
export function h(strings: TemplateStringsArray, ...values: unknown[]): Raw {
  let out = strings[0]!;
  values.forEach((v, i) => {
    const piece = Array.isArray(v)
      ? v.map((x) => (typeof x === 'object' && x && 'html' in x ? (x as Raw).html : esc(x))).join('')
      : typeof v === 'object' && v !== null && 'html' in v
        ? (v as Raw).html
        : esc(v);
    out += piece + strings[i + 1]!;
  });
  return raw(out);
}

const NAV = [
  ['/nodes', 'Nodes'],
  ['/policies', 'Policies'],
  ['/explain', 'Explain'],
  ['/credentials', 'Credentials'],
  ['/remote-config', 'Remote config'],
  ['/enrolments', 'MEF enrolments'],
  ['/maf', 'MAF'],
  ['/bulk', 'Bulk provisioning'],
  ['/bulk/rotate-trust-anchor', 'Trust anchor rotation'],
  ['/audit', 'Audit log'],
  ['/events', 'Live events'],
];

export function page(title: string, body: Raw, s?: { account: string; csrf: string }, refreshSeconds?: number): string {
  const nav = s
    ? h`<nav>${NAV.map(([href, label]) => h`<a href="${href}">${label}</a>`)}
        <form method="post" action="/logout" class="logout"><input type="hidden" name="_csrf" value="${s.csrf}">
        <span class="who">${s.account}</span> <button>Sign out</button></form></nav>`
    : raw('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)} · m2msec console</title>
<meta name="viewport" content="width=device-width">${refreshSeconds ? `<meta http-equiv="refresh" content="${refreshSeconds}">` : ''}<link rel="stylesheet" href="/static/console.css">
<script src="/static/console.js" defer></script></head><body><header><strong>m2msec</strong> security console</header>
${nav.html}<main><h1>${esc(title)}</h1>${body.html}</main></body></html>`;
}

export const table = (head: string[], rows: Raw[][], id = ''): Raw =>
  rows.length === 0
    ? h`<p class="empty">none</p>`
    : h`<table${raw(id ? ` id="${esc(id)}"` : '')}><thead><tr>${head.map((c) => h`<th>${c}</th>`)}</tr></thead><tbody>${rows.map(
        (r) => h`<tr>${r.map((c) => h`<td>${c}</td>`)}</tr>`,
      )}</tbody></table>`;
